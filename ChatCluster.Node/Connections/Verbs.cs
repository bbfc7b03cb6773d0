namespace ChatCluster.Node.Connections;

/// <summary>The pure rules of the verbs' arguments (spec section 4); which verbs a transport allows is its <see cref="Transports.ClientDialect"/>.</summary>
public static class Verbs
{
    /// <summary>ActionHero's globalSafeParams; paramAdd stores only these and the inputs of known actions.</summary>
    public static readonly HashSet<string> GlobalSafeParams = new(StringComparer.Ordinal)
    {
        "file", "apiVersion", "callback", "action", "messageId",
    };

    /// <summary>
    /// <c>paramAdd key=value</c> (split on '=', only the first two parts) or <c>paramAdd key value</c>.
    /// A null value means JavaScript's undefined: the key ends up absent.
    /// </summary>
    public static (string? Key, string? Value) ParamAdd(IReadOnlyList<string?> args)
    {
        var first = args.Count > 0 ? args[0] : null;
        if (first is null) return (null, null);
        if (first.Contains('='))
        {
            var parts = first.Split('=');
            return (parts[0], parts[1]);
        }
        return (first, args.Count > 1 ? args[1] : null);
    }

    /// <summary>The room named in an error text: JavaScript prints a missing room as "undefined".</summary>
    public static string RoomText(string? room) => room ?? "undefined";
}
