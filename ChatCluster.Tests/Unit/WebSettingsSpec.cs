using Akka.Configuration;
using ChatCluster.Node.Hosting;
using ChatCluster.Node.Web;
using Microsoft.AspNetCore.Http;

namespace ChatCluster.Tests.Unit;

public sealed class WebSettingsSpec
{
    private static WebSettings Load(params string[] lines) => WebSettings.Create(NodeConfig.Load(lines, Array.Empty<string>()));

    [Fact]
    public void Defaults_are_actionheros()
    {
        var s = Load();
        Assert.Equal("public", s.PublicFolder);
        Assert.Equal("index.html", s.IndexFile);
        Assert.Equal(1048576, s.MaxFileBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), s.CacheMaxAge);
        Assert.Equal(new[] { "*" }, s.AllowedOrigins);
        Assert.False(s.AllowCredentials);
        Assert.Equal("sessionID", s.CookieName);
        Assert.Equal(TimeSpan.FromHours(1), s.CookieMaxAge);
        Assert.Equal(SameSiteMode.Lax, s.CookieSameSite);
        Assert.False(s.CookieSecure);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "public"), s.PublicRoot);
    }

    [Theory]
    [InlineData("chatcluster.web.cors.allow-credentials = on", "allow-credentials")]
    [InlineData("chatcluster.web.cors.allowed-origins = []", "allowed-origins")]
    [InlineData("chatcluster.web.cors.allowed-origins = [\"example.com\"]", "allowed-origins")]
    [InlineData("chatcluster.web.cors.allowed-origins = [\"http://a.example/path\"]", "allowed-origins")]
    [InlineData("chatcluster.web.max-file-bytes = 0", "max-file-bytes")]
    [InlineData("chatcluster.web.session-cookie.same-site = sometimes", "same-site")]
    [InlineData("chatcluster.web.session-cookie.same-site = None", "same-site")]
    [InlineData("chatcluster.web.session-cookie.name = \"a b\"", "session-cookie.name")]
    [InlineData("chatcluster.web.index-file = \"../x.html\"", "index-file")]
    public void A_bad_value_fails_at_start_naming_its_key(string line, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(line));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Credentials_with_explicit_origins_are_fine()
    {
        var s = Load("chatcluster.web.cors.allow-credentials = on", "chatcluster.web.cors.allowed-origins = [\"https://app.example/\"]");
        Assert.Equal(new[] { "https://app.example" }, s.AllowedOrigins);
    }
}
