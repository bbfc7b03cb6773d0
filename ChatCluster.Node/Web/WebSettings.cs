using Akka.Configuration;
using Microsoft.AspNetCore.Http;

namespace ChatCluster.Node.Web;

/// <summary><c>chatcluster.web</c>: static files, CORS and the session cookie on the web port, checked once at startup.</summary>
public sealed record WebSettings(
    string PublicFolder,
    string IndexFile,
    long MaxFileBytes,
    TimeSpan CacheMaxAge,
    IReadOnlyList<string> AllowedOrigins,
    bool AllowCredentials,
    TimeSpan PreflightMaxAge,
    string CookieName,
    TimeSpan CookieMaxAge,
    SameSiteMode CookieSameSite,
    bool CookieSecure)
{
    public const string AnyOrigin = "*";

    public bool AnyOriginAllowed => AllowedOrigins.Contains(AnyOrigin);

    public static WebSettings Create(Config root)
    {
        var c = root.GetConfig("chatcluster.web") ?? throw new ConfigurationException("missing section: chatcluster.web");
        var sameSite = c.GetString("session-cookie.same-site");
        if (!Enum.TryParse<SameSiteMode>(sameSite, ignoreCase: true, out var mode) || mode == SameSiteMode.Unspecified)
            throw new ConfigurationException($"chatcluster.web.session-cookie.same-site must be Strict, Lax or None, was {sameSite}");
        var settings = new WebSettings(
            PublicFolder: c.GetString("public-folder"),
            IndexFile: c.GetString("index-file", ""),
            MaxFileBytes: c.GetLong("max-file-bytes"),
            CacheMaxAge: c.GetTimeSpan("cache-max-age"),
            AllowedOrigins: c.GetStringList("cors.allowed-origins").Select(o => o.Trim().TrimEnd('/')).ToArray(),
            AllowCredentials: c.GetBoolean("cors.allow-credentials"),
            PreflightMaxAge: c.GetTimeSpan("cors.preflight-max-age"),
            CookieName: c.GetString("session-cookie.name"),
            CookieMaxAge: c.GetTimeSpan("session-cookie.max-age"),
            CookieSameSite: mode,
            CookieSecure: c.GetBoolean("session-cookie.secure"));
        settings.Validate();
        return settings;
    }

    /// <summary>The public folder as an absolute path: relative paths are taken from the node's program folder.</summary>
    public string PublicRoot => Path.GetFullPath(Path.IsPathRooted(PublicFolder) ? PublicFolder : Path.Combine(AppContext.BaseDirectory, PublicFolder));

    private void Validate()
    {
        Check(PublicFolder.Length > 0, "chatcluster.web.public-folder must not be empty");
        Check(MaxFileBytes > 0, $"chatcluster.web.max-file-bytes must be positive, was {MaxFileBytes}");
        Check(CacheMaxAge >= TimeSpan.Zero, "chatcluster.web.cache-max-age must not be negative");
        Check(PreflightMaxAge >= TimeSpan.Zero, "chatcluster.web.cors.preflight-max-age must not be negative");
        Check(AllowedOrigins.Count > 0, "chatcluster.web.cors.allowed-origins must list at least one origin (\"*\" for any)");
        foreach (var origin in AllowedOrigins)
            Check(origin == AnyOrigin || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"),
                $"chatcluster.web.cors.allowed-origins: {origin} is not an origin (scheme://host[:port]) or \"*\"");
        Check(!(AllowCredentials && AnyOriginAllowed),
            "chatcluster.web.cors.allow-credentials = on needs explicit allowed-origins, not \"*\" (browsers refuse credentials with \"*\")");
        Check(CookieName.Length > 0 && CookieName.All(ch => ch > 32 && ch < 127 && !"()<>@,;:\\\"/[]?={}".Contains(ch)),
            $"chatcluster.web.session-cookie.name must be a cookie name token, was {CookieName}");
        Check(CookieMaxAge > TimeSpan.Zero, "chatcluster.web.session-cookie.max-age must be positive");
        Check(CookieSameSite != SameSiteMode.None || CookieSecure,
            "chatcluster.web.session-cookie.same-site = None needs secure = on (browsers drop such cookies otherwise)");
        Check(IndexFile.Length == 0 || PublicPath.Normalize(IndexFile) is not null,
            $"chatcluster.web.index-file must be a relative path inside the public folder, was {IndexFile}");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ConfigurationException(message);
    }
}
