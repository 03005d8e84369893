using System.Reflection;
using System.Reflection.Emit;
using ThunderDb.Core.Txn;
using ThunderDb.Io.Buffers;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Architecture;

/// <summary>
/// Dependencies point down only (docs/architecture.md "Layers and projects"). The project references already keep
/// Io below Core below Net; these rules keep the layers inside them: Storage never reaches the transaction layer or
/// anything built on it, Redis and SQL never reach each other, and no protocol touches storage directly. The
/// references are read from the compiled IL (signatures and method bodies), so a fully qualified name or a
/// lambda's closure counts as much as a <c>using</c>.
/// </summary>
public class NamespaceLayeringTests
{
    private static readonly Assembly[] Product = [typeof(AlignedBuffer).Assembly, typeof(Database).Assembly, typeof(ListenSocket).Assembly];

    [Test]
    [Timeout(60_000)]
    public async Task No_namespace_reaches_a_layer_above_it_or_a_sibling(CancellationToken ct)
    {
        var edges = NamespaceEdges();
        await Assert.That(edges).Contains(("ThunderDb.Core.Txn", "ThunderDb.Core.Storage")); // the scan sees references at all
        await Assert.That(edges).Contains(("ThunderDb.Net.Resp", "ThunderDb.Core.Redis"));

        var violations = edges.Where(e => Forbidden(e.From, e.To)).Select(e => $"{e.From} -> {e.To}").Order().ToList();
        await Assert.That(violations).IsEmpty();
    }

    [Test]
    public async Task The_rules_refuse_what_the_issue_names()
    {
        await Assert.That(Forbidden("ThunderDb.Core.Storage.Wal", "ThunderDb.Core.Txn")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Core.Storage", "ThunderDb.Core.Sql.Engine")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Core.Diagnostics", "ThunderDb.Core.Txn")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Core.Redis", "ThunderDb.Core.Sql.Types")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Net.Postgres", "ThunderDb.Core.Storage.BTree")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Net.Resp", "ThunderDb.Net.Postgres")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Io.Files", "ThunderDb.Core.Storage")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Core.Session", "ThunderDb.Core.Sql")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Core.Txn", "ThunderDb.Core.Session")).IsTrue();
        await Assert.That(Forbidden("ThunderDb.Core.Sql.Engine", "ThunderDb.Core.Session")).IsFalse();
        await Assert.That(Forbidden("ThunderDb.Core.Txn", "ThunderDb.Core.Storage.Wal")).IsFalse();
        await Assert.That(Forbidden("ThunderDb.Core.Sql.Engine", "ThunderDb.Core.Catalog")).IsFalse();
        await Assert.That(Forbidden("ThunderDb.Net.Postgres", "ThunderDb.Net.Transport")).IsFalse();
    }

    /// <summary>Layers bottom up; namespaces of one rank with different groups are siblings that must not meet.</summary>
    private static (int Rank, string Group) LayerOf(string ns) => ns switch
    {
        _ when Under(ns, "ThunderDb.Io") => (0, "Io"),
        "ThunderDb.Core" => (1, "Base"),
        _ when Under(ns, "ThunderDb.Core.Diagnostics") || Under(ns, "ThunderDb.Core.Keys") || Under(ns, "ThunderDb.Core.Errors") => (1, "Base"),
        _ when Under(ns, "ThunderDb.Core.Storage") => (2, "Storage"),
        _ when Under(ns, "ThunderDb.Core.Txn") => (3, "Txn"),
        _ when Under(ns, "ThunderDb.Core.Session") => (4, "Session"),
        _ when Under(ns, "ThunderDb.Core.Redis") => (5, "Redis"),
        _ when Under(ns, "ThunderDb.Core.Sql") || Under(ns, "ThunderDb.Core.Catalog") => (5, "Sql"),
        _ when Under(ns, "ThunderDb.Net.Transport") || Under(ns, "ThunderDb.Net.Security") => (6, "Transport"),
        _ when Under(ns, "ThunderDb.Net.Resp") => (7, "Resp"),
        _ when Under(ns, "ThunderDb.Net.Postgres") => (7, "Postgres"),
        _ => throw new InvalidOperationException($"namespace {ns} has no layer: add it to the rules"),
    };

    private static bool Forbidden(string from, string to)
    {
        var (fromRank, fromGroup) = LayerOf(from);
        var (toRank, toGroup) = LayerOf(to);
        if (fromRank >= 6 && toGroup == "Storage")
        {
            return true; // protocols go through the transaction layer, never around it
        }

        return toRank > fromRank || (toRank == fromRank && toGroup != fromGroup);
    }

    private static bool Under(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    private static HashSet<(string From, string To)> NamespaceEdges()
    {
        var edges = new HashSet<(string, string)>();
        foreach (var assembly in Product)
        {
            foreach (var type in assembly.GetTypes())
            {
                if (type.Namespace is not { } from || !from.StartsWith("ThunderDb.", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var referenced in ReferencedTypes(type))
                {
                    foreach (var to in NamespacesOf(referenced))
                    {
                        if (to != from)
                        {
                            edges.Add((from, to));
                        }
                    }
                }
            }
        }

        return edges;
    }

    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.GetInterfaces())
        {
            yield return contract;
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in TypesUsedIn(method))
            {
                yield return used;
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value);

    /// <summary>The types of every field, method and type token in the method's IL, and of its locals.</summary>
    private static IEnumerable<Type> TypesUsedIn(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    if (member is Type t)
                    {
                        yield return t;
                    }
                    else if (member?.DeclaringType is { } owner)
                    {
                        yield return owner;
                        if (member is FieldInfo f)
                        {
                            yield return f.FieldType;
                        }
                        else if (member is MethodInfo m)
                        {
                            yield return m.ReturnType;
                        }
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    at += 4; // InlineBrTarget, InlineI, InlineString, InlineSig, ShortInlineR
                    break;
            }
        }
    }

    private static IEnumerable<string> NamespacesOf(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var ns in NamespacesOf(type.GetElementType()!))
            {
                yield return ns;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var ns in NamespacesOf(argument))
                {
                    yield return ns;
                }
            }
        }

        if (type.Namespace is { } own && own.StartsWith("ThunderDb.", StringComparison.Ordinal))
        {
            yield return own;
        }
    }
}
