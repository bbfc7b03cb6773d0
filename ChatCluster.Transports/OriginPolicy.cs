namespace ChatCluster.Transports;

/// <summary>
/// Which browser origins may open a websocket (<c>chatcluster.websocket.allowed-origins</c>). Browsers send the
/// page's origin on every websocket upgrade and let any page connect anywhere, so without this check any web page a
/// visitor opens can talk to the node as that visitor (cross-site websocket hijacking). Entries are origins as
/// browsers write them (<c>https://chat.example.com</c>, <c>http://localhost:8080</c>), compared without regard to
/// case; <c>*</c> allows every origin. An empty list allows every origin, as ActionHero does. A request without
/// an Origin header comes from a non-browser client (no page to hijack it) and is always allowed.
/// </summary>
public sealed class OriginPolicy
{
    public static readonly OriginPolicy Any = new([]);

    private readonly HashSet<string> _allowed;
    private readonly bool _any;

    public OriginPolicy(IEnumerable<string> allowed)
    {
        _allowed = new HashSet<string>(allowed.Select(Normalize), StringComparer.OrdinalIgnoreCase);
        _any = _allowed.Count == 0 || _allowed.Contains("*");
    }

    public bool AllowsAny => _any;

    public bool IsAllowed(string? origin) =>
        _any || string.IsNullOrEmpty(origin) || _allowed.Contains(Normalize(origin));

    // "https://host/" and "https://host" are the same origin; browsers send the latter.
    private static string Normalize(string origin) => origin.Trim().TrimEnd('/');
}
