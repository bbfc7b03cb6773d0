using System.Text;
using ChatCluster.Bench.Load;
using ChatCluster.Fuzz;

namespace ChatCluster.Tests.Guard;

/// <summary>
/// The codec fuzzer's short CI run (a second per target over fuzz/corpus, bounded mutation; the long run is
/// scripts/fuzz.sh) and the malformed inputs of issue 12 as named regression cases for the same targets.
/// </summary>
public sealed class CodecFuzzTests
{
    private static readonly TimeSpan BudgetPerTarget = TimeSpan.FromSeconds(1);
    private const long MaxInputsPerTarget = 200_000;
    private const int Seed = 12;

    public static TheoryData<string> Targets() => new(FuzzTargets.All.Keys);

    [Theory, MemberData(nameof(Targets))]
    public void Fuzz_target_should_survive_its_corpus_and_mutants(string target)
    {
        var corpus = MutationFuzzer.LoadCorpus(MutationFuzzer.FindCorpusRoot(AppContext.BaseDirectory), target);
        var result = new MutationFuzzer(corpus, Seed).Run(FuzzTargets.All[target], BudgetPerTarget, MaxInputsPerTarget);
        Assert.True(result.Inputs > corpus.Count, $"{target}: only {result.Inputs} inputs tried");
        if (result.Crashes.Count > 0)
            Assert.Fail($"{target}: {result.Crashes.Count} crashes after {result.Inputs} inputs; first: " +
                $"{Convert.ToHexString(result.Crashes[0].Input)} → {result.Crashes[0].Error}");
    }

    /// <summary>The fuzzer is no placebo: a bug planted behind a protocol token is found from seeds without it.</summary>
    [Fact]
    public void Mutation_fuzzer_should_find_a_planted_crash()
    {
        var corpus = new[] { Encoding.UTF8.GetBytes("{\"name\":\"abc\"}") };
        var result = new MutationFuzzer(corpus, Seed).Run(input =>
        {
            if (Encoding.UTF8.GetString(input).Contains("\\ud800", StringComparison.Ordinal)) throw new InvalidOperationException("planted");
        }, TimeSpan.FromSeconds(10), MaxInputsPerTarget);
        Assert.NotEmpty(result.Crashes);
    }

    // A zero mask leaves the payload as it is, so the fuzz inputs stay readable.
    private static byte[] Frame(int opcode, byte[] payload, bool fin = true) =>
        ClientFrames.Frame((byte)((fin ? 0x80 : 0) | opcode), payload, mask: [0, 0, 0, 0]);

    private static byte[] Whole(byte[] data) => [0, .. data];

    // Issue 12's malformed inputs (items 5 and 6), as the codecs see them. Each crashed or misbehaved before the fix.
    private static readonly Dictionary<string, (string Target, byte[] Input)> Regressions = new()
    {
        ["ws_frame_with_lone_surrogate_escape"] = ("primus-codec", Encoding.ASCII.GetBytes("{\"event\":\"roomAdd\",\"room\":\"\\ud800\",\"messageId\":1}")),
        ["ws_frame_with_lone_low_surrogate_key"] = ("primus-codec", Encoding.ASCII.GetBytes("{\"\\udc00\":1}")),
        ["tcp_line_with_lone_surrogate_escape"] = ("line-framer", Whole(Encoding.ASCII.GetBytes("{\"action\":\"createChatRoom\",\"params\":{\"name\":\"\\ud800\"}}\r\n"))),
        ["http_body_with_lone_surrogate_escape"] = ("json-request", Encoding.ASCII.GetBytes("{\"name\":\"\\ud800\"}")),
        ["http_body_with_invalid_utf8_in_a_string"] = ("json-request", [.. "{\"name\":\""u8, 0xFF, .. "\"}"u8]),
        ["close_frame_with_code_1005"] = ("ws-frames", Whole(Frame(0x8, [0x03, 0xED]))),
        ["close_frame_of_one_byte"] = ("ws-frames", Whole(Frame(0x8, [0x03]))),
        ["message_of_one_byte_fragments_past_the_cap"] = ("ws-frames",
            Whole([.. Frame(0x1, "{"u8.ToArray(), fin: false), .. Enumerable.Range(0, 200).SelectMany(_ => Frame(0x0, " "u8.ToArray(), fin: false))])),
        ["large_binary_message"] = ("primus-codec", new byte[4096]),
        ["upgrade_with_duplicate_origin"] = ("upgrade-request", Whole(Encoding.ASCII.GetBytes(
            "GET /primus HTTP/1.1\r\nHost: h\r\nOrigin: https://a\r\nOrigin: https://b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))),
    };

    public static TheoryData<string> RegressionNames() => new(Regressions.Keys);

    [Theory, MemberData(nameof(RegressionNames))]
    public void Malformed_input_regression_should_not_crash_its_codec(string name)
    {
        var (target, input) = Regressions[name];
        FuzzTargets.All[target](input);
    }
}
