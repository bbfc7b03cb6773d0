namespace ChatCluster.Messages.Commands;

/// <summary>
/// One switch of a verb, as data (pbm's shape): <c>-r ROOM</c> / <c>--room ROOM</c>, or a flag with no value.
/// The node sends these to the client, which parses a command line against them; the node checks them again.
/// <paramref name="IsBody"/> marks message bodies and values: the audit log names the switch but never prints its value.
/// </summary>
public sealed record CommandSwitch(
    string Name,
    string Short,
    string Description,
    bool Mandatory = false,
    string? Default = null,
    bool IsFlag = false,
    IReadOnlyList<string>? AllowedValues = null,
    bool IsBody = false);

/// <summary>
/// A verb of a palette: name, help, switches. <paramref name="Mutating"/> verbs change the cluster and are refused
/// in read-only mode; <paramref name="Streaming"/> verbs run until cancelled (tails), so the client timeout does not apply.
/// </summary>
public sealed record CommandDefinition(
    string Palette,
    string Name,
    string Description,
    IReadOnlyList<CommandSwitch> Switches,
    bool Mutating = false,
    bool Streaming = false)
{
    public CommandSwitch? Switch(string nameOrShort) =>
        Switches.FirstOrDefault(s => s.Name == nameOrShort || s.Short == nameOrShort);
}

/// <summary>A palette: a named group of verbs handled by one actor on the node.</summary>
public sealed record CommandPalette(string Name, string Description, IReadOnlyList<CommandDefinition> Commands)
{
    public CommandDefinition? Command(string name) => Commands.FirstOrDefault(c => c.Name == name);
}
