using System.Diagnostics;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>What EXPLAIN ANALYZE shows of one node: how often it ran, the rows it returned, and (with TIMING) the time to its first and last row.</summary>
public sealed class NodeCounters
{
    public long Loops { get; internal set; }

    public long Rows { get; internal set; }

    /// <summary>Stopwatch ticks, summed over loops: until the first row of each loop, and until each loop ended.</summary>
    public long StartupTicks { get; internal set; }

    public long TotalTicks { get; internal set; }
}

/// <summary>
/// EXPLAIN ANALYZE's counters, one <see cref="NodeCounters"/> per plan node (by reference). Only a statement run
/// for EXPLAIN ANALYZE sets <see cref="ExecutionRuntime.Analysis"/>: every other statement pays one null check per
/// node opened. The time of a node is the time spent producing its rows (its children's included, its consumer's not).
/// </summary>
public sealed class PlanAnalysis(bool timing)
{
    private readonly Dictionary<object, NodeCounters> _nodes = new(ReferenceEqualityComparer.Instance);

    public bool Timing => timing;

    public NodeCounters? Of(PlanNode node) => _nodes.GetValueOrDefault(node);

    /// <summary>Counters of a node that is not executed as such (the parts of an INSERT, UPDATE or DELETE the statement runs itself).</summary>
    public void Record(PlanNode node, long loops, long rows) => _nodes[node] = new NodeCounters { Loops = loops, Rows = rows };

    internal IEnumerable<T> Measure<T>(PlanNode node, IEnumerable<T> rows)
    {
        if (!_nodes.TryGetValue(node, out NodeCounters? counters))
        {
            _nodes[node] = counters = new NodeCounters();
        }

        counters.Loops++;
        long spent = 0;
        bool first = true;
        using IEnumerator<T> e = rows.GetEnumerator();
        try
        {
            while (true)
            {
                long started = timing ? Stopwatch.GetTimestamp() : 0;
                bool more = e.MoveNext();
                if (timing)
                {
                    spent += Stopwatch.GetTimestamp() - started;
                    if (first)
                    {
                        counters.StartupTicks += spent;
                        first = false;
                    }
                }

                if (!more)
                {
                    break;
                }

                counters.Rows++;
                yield return e.Current;
            }
        }
        finally
        {
            counters.TotalTicks += spent; // also when the consumer stops early (a LIMIT above)
        }
    }
}
