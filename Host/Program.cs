using Prometheus;
using Serilog;

var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
var c = Metrics.CreateCounter("thunderdb_queries_total", "Total queries executed");
Log.Logger = new LoggerConfiguration().WriteTo.Console().WriteTo.File("x.log", rollingInterval: RollingInterval.Day).CreateLogger();
Log.Information("hi {X}", 1);
var doc = Tomlyn.Parsing.SyntaxParser.Parse("a = 1");
Console.WriteLine(doc.Diagnostics.Count);
Console.WriteLine(BCrypt.Net.BCrypt.HashPassword("x", 12));
app.MapGet("/metrics", async ctx => { await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(ctx.Response.Body); });
