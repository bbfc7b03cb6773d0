using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace ChatCluster.Node.Web;

/// <summary>
/// ActionHero's browser fingerprint cookie: every HTTP response to a request without it sets a new random value
/// (path "/", HttpOnly off so the client library can put it in the websocket URL, SameSite and expiry from
/// <c>chatcluster.web.session-cookie</c>). A websocket upgrade carrying it gets it as the connection's fingerprint.
/// </summary>
public sealed class SessionCookie
{
    // 160 bits, hex: the length of ActionHero's sha1 fingerprints, and unguessable.
    private const int ValueBytes = 20;
    private readonly WebSettings _settings;

    public SessionCookie(WebSettings settings) => _settings = settings;

    public static string NewValue() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(ValueBytes));

    public CookieOptions Options(DateTimeOffset now) => new()
    {
        Path = "/",
        Expires = now + _settings.CookieMaxAge,
        MaxAge = _settings.CookieMaxAge,
        HttpOnly = false,
        SameSite = _settings.CookieSameSite,
        Secure = _settings.CookieSecure,
        IsEssential = true,
    };

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Cookies.TryGetValue(_settings.CookieName, out var value) || string.IsNullOrEmpty(value))
            context.Response.Cookies.Append(_settings.CookieName, NewValue(), Options(DateTimeOffset.UtcNow));
        return next(context);
    }
}
