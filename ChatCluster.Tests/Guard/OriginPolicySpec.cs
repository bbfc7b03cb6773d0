using ChatCluster.Transports;

namespace ChatCluster.Tests.Guard;

/// <summary>chatcluster.websocket.allowed-origins as a table: allowed list → origin → allowed?</summary>
public sealed class OriginPolicySpec
{
    [Theory]
    [InlineData("empty_list_allows_any", "", "https://evil.example", true)]
    [InlineData("star_allows_any", "*", "https://evil.example", true)]
    [InlineData("listed_origin", "https://chat.example", "https://chat.example", true)]
    [InlineData("case_does_not_matter", "https://Chat.Example", "https://chat.example", true)]
    [InlineData("trailing_slash_in_config", "https://chat.example/", "https://chat.example", true)]
    [InlineData("other_origin_refused", "https://chat.example", "https://evil.example", false)]
    [InlineData("other_scheme_refused", "https://chat.example", "http://chat.example", false)]
    [InlineData("other_port_refused", "https://chat.example", "https://chat.example:8443", false)]
    [InlineData("suffix_trick_refused", "https://chat.example", "https://chat.example.evil.example", false)]
    [InlineData("null_origin_refused", "https://chat.example", "null", false)]
    [InlineData("two_joined_origins_refused", "https://chat.example", "https://chat.example,https://evil.example", false)]
    [InlineData("no_origin_header_allowed", "https://chat.example", null, true)]
    [InlineData("second_entry", "https://a.example|https://chat.example", "https://chat.example", true)]
    public void OriginPolicy_should_allow_listed_origins_only(string name, string allowed, string? origin, bool expected)
    {
        var policy = new OriginPolicy(allowed.Split('|', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(expected == policy.IsAllowed(origin), name);
    }
}
