using ChatCluster.Node.Web;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Unit;

/// <summary>The public folder's path rules (ActionHero 29.3.5's confinement) and the session key of an upgrade.</summary>
public sealed class PublicPathTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cc-public-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _root;

    public PublicPathTests()
    {
        _root = Path.Combine(_dir, "public");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        Directory.CreateDirectory(Path.Combine(_dir, "public-evil")); // a sibling whose name starts like the root
        File.WriteAllText(Path.Combine(_root, "a.html"), "<b>a</b>");
        File.WriteAllText(Path.Combine(_root, "sub", "b.txt"), "b");
        File.WriteAllText(Path.Combine(_root, ".env"), "secret");
        File.WriteAllBytes(Path.Combine(_root, "big.bin"), new byte[101]);
        File.WriteAllText(Path.Combine(_dir, "outside.txt"), "outside");
        File.WriteAllText(Path.Combine(_dir, "public-evil", "x.txt"), "evil");
        File.CreateSymbolicLink(Path.Combine(_root, "escape.txt"), Path.Combine(_dir, "outside.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "escape-relative.txt"), "../outside.txt");
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape-dir"), _dir);
        Directory.CreateSymbolicLink(Path.Combine(_root, "evil-dir"), Path.Combine(_dir, "public-evil"));
        File.CreateSymbolicLink(Path.Combine(_root, "inside-link.html"), "a.html");
        Directory.CreateSymbolicLink(Path.Combine(_root, "sub-link"), "sub");
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(_root, "loop2"), "loop1");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("plain file", "a.html", "a.html")]
    [InlineData("nested", "sub/b.txt", "sub/b.txt")]
    [InlineData("dot segments and doubled slashes are dropped", "./sub//b.txt", "sub/b.txt")]
    [InlineData("parent segment", "../a.html", null)]
    [InlineData("parent segment inside", "sub/../a.html", null)]
    [InlineData("absolute path (ActionHero: not found)", "/a.html", null)]
    [InlineData("absolute system path", "/etc/passwd", null)]
    [InlineData("backslash", "sub\\b.txt", null)]
    [InlineData("windows drive", "C:/x", null)]
    [InlineData("NUL", "a.html\0.png", null)]
    [InlineData("dot file", ".env", null)]
    [InlineData("dot folder", ".git/config", null)]
    [InlineData("empty", "", null)]
    [InlineData("only dots and slashes", "./", null)]
    public void Normalize_keeps_only_relative_paths_inside(string _, string requested, string? expected) =>
        Assert.Equal(expected, PublicPath.Normalize(requested));

    [Theory]
    [InlineData("a file", "a.html", PublicLookup.Found)]
    [InlineData("a nested file", "sub/b.txt", PublicLookup.Found)]
    [InlineData("a symlink to a file inside", "inside-link.html", PublicLookup.Found)]
    [InlineData("a file through a symlinked folder inside", "sub-link/b.txt", PublicLookup.Found)]
    [InlineData("a symlink to a file outside", "escape.txt", PublicLookup.NotFound)]
    [InlineData("a relative symlink to a file outside", "escape-relative.txt", PublicLookup.NotFound)]
    [InlineData("through a symlinked folder outside", "escape-dir/outside.txt", PublicLookup.NotFound)]
    [InlineData("back in through a symlinked folder outside", "escape-dir/public/a.html", PublicLookup.Found)]
    [InlineData("a sibling folder that shares the root's prefix", "evil-dir/x.txt", PublicLookup.NotFound)]
    [InlineData("a symlink loop", "loop1", PublicLookup.NotFound)]
    [InlineData("a folder", "sub", PublicLookup.NotFound)]
    [InlineData("missing", "nope.html", PublicLookup.NotFound)]
    [InlineData("traversal", "../outside.txt", PublicLookup.NotFound)]
    [InlineData("absolute", "/etc/passwd", PublicLookup.NotFound)]
    [InlineData("dot file", ".env", PublicLookup.NotFound)]
    [InlineData("over the size limit", "big.bin", PublicLookup.TooLarge)]
    public void Resolve_confines_requests_to_the_public_folder(string _, string requested, PublicLookup expected)
    {
        var root = PublicPath.RealPath(_root)!;
        Assert.Equal(expected, PublicPath.Resolve(root, requested, maxBytes: 100, out var file));
        Assert.Equal(expected == PublicLookup.Found, file is not null);
        if (file is not null) Assert.True(PublicPath.IsInside(root, file.FullName));
    }

    [Theory]
    [InlineData("query wins", "q", "sessionID=c", "q")]
    [InlineData("cookie when no query", null, "a=1; sessionID=c; b=2", "c")]
    [InlineData("empty query falls back to the cookie", "", "sessionID=c", "c")]
    [InlineData("quoted cookie value", null, "sessionID=\"c\"", "c")]
    [InlineData("percent-encoded cookie value", null, "sessionID=a%20b", "a b")]
    [InlineData("other cookies only", null, "sessionid=x; session=y", null)]
    [InlineData("empty cookie value", null, "sessionID=", null)]
    [InlineData("no cookie header", null, null, null)]
    [InlineData("garbage header", null, ";;;===", null)]
    public void Session_fingerprint_comes_from_the_query_else_the_cookie(string _, string? query, string? cookie, string? expected) =>
        Assert.Equal(expected, SessionFingerprint.Choose(query, cookie, "sessionID"));
}
