using System.Collections.Concurrent;

namespace ChatCluster.Node.Actions;

/// <summary>The node's actions by name; the names of all their inputs are what TCP <c>paramAdd</c> accepts.</summary>
public sealed class ActionRegistry
{
    private readonly ConcurrentDictionary<string, ChatAction> _byName = new(StringComparer.Ordinal);
    private volatile HashSet<string> _inputNames = new(StringComparer.Ordinal);

    public void Add(ChatAction action)
    {
        _byName[action.Name] = action;
        _inputNames = new HashSet<string>(_byName.Values.SelectMany(a => a.Inputs).Select(i => i.Name), StringComparer.Ordinal);
    }

    public bool TryGet(string name, out ChatAction action) => _byName.TryGetValue(name, out action!);

    public IReadOnlyCollection<ChatAction> All => _byName.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray();

    public bool IsInputName(string name) => _inputNames.Contains(name);
}
