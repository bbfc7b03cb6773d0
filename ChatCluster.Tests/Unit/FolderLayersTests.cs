using System.Text;
using ChatCluster.Node.Hosting;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// The folders of ChatCluster.Node are layers: a folder uses only the folders before it in <see cref="Layers"/>.
/// The order is written once, here; docs/design.md repeats it as the one-line dependency direction. A failure names
/// every offending use as "type.member → type", so the fix (move the type down, or turn the call around through an
/// interface in the lower folder) can be chosen from the message alone.
/// </summary>
public sealed class FolderLayersTests
{
    /// <summary>Bottom first: each folder may use the folders to its left.</summary>
    public static readonly string[] Layers =
    [
        "Core", "Web", "Mirror", "Middleware", "Rooms", "Api", "Actions", "Connections", "Redis", "Operations",
        "Commands", "Hosting",
    ];

    private static readonly FolderReferences Node =
        FolderReferences.Of(typeof(ChatNode).Assembly, "ChatCluster.Node");

    [Fact]
    public void Every_folder_of_the_node_should_have_a_layer()
    {
        var missing = Node.Folders.Except(Layers).Order().ToList();
        Assert.True(missing.Count == 0, $"folders without a layer in FolderLayersTests.Layers: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Folders_should_use_only_the_folders_below_them()
    {
        var upward = Node.Edges
            .Where(e => Rank(e.Key.From) < Rank(e.Key.To))
            .OrderBy(e => e.Key.From).ThenBy(e => e.Key.To)
            .ToList();
        var message = new StringBuilder($"layers (bottom first): {string.Join(" -> ", Layers)}\n");
        foreach (var ((from, to), uses) in upward) Describe(message, from, to, uses);
        Assert.True(upward.Count == 0, message.ToString());
    }

    [Fact]
    public void Folder_graph_should_have_no_cycles()
    {
        var cycles = StronglyConnected(Node.Edges.Keys).Where(c => c.Count > 1).ToList();
        var message = new StringBuilder();
        foreach (var cycle in cycles)
        {
            message.Append($"cycle: {string.Join(", ", cycle.Order())}\n");
            foreach (var ((from, to), uses) in Node.Edges.Where(e => cycle.Contains(e.Key.From) && cycle.Contains(e.Key.To)))
                Describe(message, from, to, uses);
        }
        Assert.True(cycles.Count == 0, message.ToString());
    }

    [Fact]
    public void Reading_the_references_should_see_a_known_use()
    {
        // a check that the reader reads: Hosting composes the node, so it must be seen using Rooms and Connections
        Assert.Contains(("Hosting", "Rooms"), Node.Edges.Keys);
        Assert.Contains(("Hosting", "Connections"), Node.Edges.Keys);
    }

    private static int Rank(string folder) => Array.IndexOf(Layers, folder) is var i and >= 0 ? i : int.MaxValue;

    private static void Describe(StringBuilder message, string from, string to, IReadOnlyList<FolderReferences.Use> uses)
    {
        const int Shown = 12;
        message.Append($"  {from} -> {to} ({uses.Count} uses)\n");
        foreach (var use in uses.Take(Shown)) message.Append($"    {use}\n");
        if (uses.Count > Shown) message.Append($"    ... and {uses.Count - Shown} more\n");
    }

    /// <summary>Tarjan's strongly connected components of the folder graph.</summary>
    private static List<HashSet<string>> StronglyConnected(IEnumerable<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var nodes = next.Keys.Concat(next.Values.SelectMany(v => v)).Distinct().ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var components = new List<HashSet<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (stack.Contains(to)) low[node] = Math.Min(low[node], index[to]);
            }
            if (low[node] != index[node]) return;
            var component = new HashSet<string>();
            string member;
            do component.Add(member = stack.Pop()); while (member != node);
            components.Add(component);
        }

        foreach (var node in nodes) if (!index.ContainsKey(node)) Visit(node);
        return components;
    }
}
