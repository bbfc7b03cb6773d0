using ChatCluster.Transports;

namespace ChatCluster.Tests.Codecs;

public class WebSocketHandshakeTests
{
    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")] // RFC 6455 section 1.3 (and 4.2.2)
    [InlineData("x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk=")]
    public void WebSocketHandshake_should_compute_accept_value(string key, string accept) =>
        Assert.Equal(accept, WebSocketHandshake.ComputeAccept(key));

    [Theory]
    [InlineData("rfc_sample", "dGhlIHNhbXBsZSBub25jZQ==", true)]
    [InlineData("all_zero", "AAAAAAAAAAAAAAAAAAAAAA==", true)]
    [InlineData("plus_and_slash", "+/+/+/+/+/+/+/+/+/+/+w==", true)]
    [InlineData("null", null, false)]
    [InlineData("empty", "", false)]
    [InlineData("no_padding", "dGhlIHNhbXBsZSBub25jZQ", false)]
    [InlineData("twelve_bytes", "dGhlIHNhbXBsZSBu", false)]
    [InlineData("seventeen_bytes", "dGhlIHNhbXBsZSBub25jZQAA", false)]
    [InlineData("url_safe_alphabet", "-_hlIHNhbXBsZSBub25jZQ==", false)]
    [InlineData("inner_padding", "dGhlIHNhbXBsZSBub25j=Q==", false)]
    [InlineData("space_inside", "dGhlIHNhbXBs ZSBub25jZQ==", false)]
    [InlineData("leading_space", " dGhlIHNhbXBsZSBub25jZQ==", false)]
    public void WebSocketHandshake_should_accept_only_base64_of_16_bytes(string name, string? key, bool valid) =>
        Assert.True(valid == WebSocketHandshake.IsValidKey(key), name);
}
