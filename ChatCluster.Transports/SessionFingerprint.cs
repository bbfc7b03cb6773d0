using Microsoft.Net.Http.Headers;

namespace ChatCluster.Transports;

/// <summary>
/// The browser session a websocket upgrade carries (ActionHero's fingerprint): the <c>?sessionID=</c> query parameter
/// (what ActionHero's client sends) wins, else the session cookie of the same name. Null when neither is there.
/// </summary>
public static class SessionFingerprint
{
    /// <summary>ActionHero's default config.web.fingerprintOptions.cookieKey.</summary>
    public const string DefaultKey = "sessionID";

    public static string? Choose(string? queryValue, string? cookieHeader, string key) =>
        queryValue is { Length: > 0 } ? queryValue : FromCookieHeader(cookieHeader, key);

    /// <summary>The value of cookie <paramref name="key"/> in a Cookie header ("a=1; sessionID=x"), unquoted; null when absent or empty.</summary>
    public static string? FromCookieHeader(string? cookieHeader, string key)
    {
        if (string.IsNullOrEmpty(cookieHeader)) return null;
        if (!CookieHeaderValue.TryParseList(cookieHeader.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), out var cookies))
            return null;
        foreach (var cookie in cookies)
            if (cookie.Name.Equals(key, StringComparison.Ordinal) && cookie.Value.Length > 0)
                return Uri.UnescapeDataString(HeaderUtilities.RemoveQuotes(cookie.Value).ToString());
        return null;
    }
}
