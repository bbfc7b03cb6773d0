using System.Security.Cryptography;

namespace ChatCluster.Fuzz;

/// <summary>
/// A bounded mutation fuzzer for when libFuzzer is not at hand (CI's short run, machines without clang): takes the
/// corpus, mutates inputs (bit flips, interesting bytes, inserts of protocol tokens, deletions, duplications, splices)
/// and runs the target on each. No coverage feedback: it finds what the seeds' neighbourhood holds, which is why
/// the seeds cover every message shape. Deterministic for a given seed and corpus.
/// </summary>
public sealed class MutationFuzzer
{
    private static readonly byte[][] Tokens =
    [
        "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\\u0000"u8.ToArray(), "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(),
        "["u8.ToArray(), "]"u8.ToArray(), ":"u8.ToArray(), ","u8.ToArray(), "\r\n"u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(),
        "null"u8.ToArray(), "true"u8.ToArray(), "1e999"u8.ToArray(), "-0"u8.ToArray(), "\"event\""u8.ToArray(), "\"messageId\""u8.ToArray(),
        "\"action\""u8.ToArray(), "\"params\""u8.ToArray(), "primus::pong::"u8.ToArray(), "primus::id::"u8.ToArray(),
        "\r\n\r\n"u8.ToArray(), "Upgrade: websocket\r\n"u8.ToArray(), "Connection: Upgrade\r\n"u8.ToArray(),
        "Sec-WebSocket-Version: 13\r\n"u8.ToArray(), "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"u8.ToArray(),
        "Origin: https://a.example\r\n"u8.ToArray(), "%2e"u8.ToArray(), "?sessionID="u8.ToArray(), [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80],
        [0x81, 0x80], [0x01, 0x80], [0x00, 0x80], [0x80, 0x80], [0x88, 0x82], [0x89, 0x80], [0x82, 0xFE, 0xFF, 0xFF], [0x81, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
    ];

    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)'"', (byte)'\\', 0x7E, 0x7D, 0xFE];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _corpus;
    private readonly int _maxInputBytes;

    public MutationFuzzer(IReadOnlyList<byte[]> corpus, int seed, int maxInputBytes = 8192)
    {
        if (corpus.Count == 0) throw new ArgumentException("the corpus is empty: put at least one seed in fuzz/corpus/<target>/", nameof(corpus));
        _corpus = corpus;
        _random = new Random(seed);
        _maxInputBytes = maxInputBytes;
    }

    /// <summary>Inputs tried and the distinct crashing inputs found.</summary>
    public sealed record Result(long Inputs, IReadOnlyList<Crash> Crashes);

    public sealed record Crash(byte[] Input, Exception Error)
    {
        public string Id => Convert.ToHexString(SHA256.HashData(Input))[..16].ToLowerInvariant();
    }

    /// <summary>Runs the seeds as they are, then mutants until <paramref name="budget"/> runs out or <paramref name="maxInputs"/> were tried.</summary>
    public Result Run(Action<byte[]> target, TimeSpan budget, long maxInputs = long.MaxValue)
    {
        var crashes = new Dictionary<string, Crash>();
        long inputs = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var seed in _corpus)
        {
            inputs++;
            Try(target, seed, crashes);
        }
        while (inputs < maxInputs && clock.Elapsed < budget)
        {
            var input = Mutate(_corpus[_random.Next(_corpus.Count)]);
            inputs++;
            Try(target, input, crashes);
        }
        return new Result(inputs, crashes.Values.ToList());
    }

    private static void Try(Action<byte[]> target, byte[] input, Dictionary<string, Crash> crashes)
    {
        try
        {
            target(input);
        }
        catch (Exception e)
        {
            var crash = new Crash(input, e);
            crashes.TryAdd(crash.Id, crash);
        }
    }

    public byte[] Mutate(byte[] seed)
    {
        var data = new List<byte>(seed);
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            switch (_random.Next(8))
            {
                case 0 when data.Count > 0: // flip a bit
                    var bit = _random.Next(data.Count * 8);
                    data[bit / 8] ^= (byte)(1 << (bit % 8));
                    break;
                case 1 when data.Count > 0: // an interesting byte
                    data[_random.Next(data.Count)] = Interesting[_random.Next(Interesting.Length)];
                    break;
                case 2: // a protocol token
                    data.InsertRange(_random.Next(data.Count + 1), Tokens[_random.Next(Tokens.Length)]);
                    break;
                case 3 when data.Count > 0: // delete a range
                    var at = _random.Next(data.Count);
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                    break;
                case 4 when data.Count > 0: // duplicate a range (repetition finds counting bugs)
                    var from = _random.Next(data.Count);
                    var length = Math.Min(data.Count - from, 1 + _random.Next(64));
                    var copy = data.GetRange(from, length);
                    var times = 1 + _random.Next(8);
                    for (var t = 0; t < times; t++) data.InsertRange(from, copy);
                    break;
                case 5: // splice with another seed
                    var other = _corpus[_random.Next(_corpus.Count)];
                    var cut = _random.Next(data.Count + 1);
                    data.RemoveRange(cut, data.Count - cut);
                    data.AddRange(other.Skip(_random.Next(other.Length + 1)));
                    break;
                case 6 when data.Count > 0: // the split mode (first byte) of the target
                    data[0] = (byte)_random.Next(256);
                    break;
                default: // random bytes
                    var n = 1 + _random.Next(8);
                    var bytes = new byte[n];
                    _random.NextBytes(bytes);
                    data.InsertRange(_random.Next(data.Count + 1), bytes);
                    break;
            }
        }
        if (data.Count > _maxInputBytes) data.RemoveRange(_maxInputBytes, data.Count - _maxInputBytes);
        return data.ToArray();
    }

    /// <summary>The seed files of a target: every file under <c>fuzz/corpus/&lt;target&gt;/</c>.</summary>
    public static IReadOnlyList<byte[]> LoadCorpus(string corpusRoot, string target)
    {
        var folder = Path.Combine(corpusRoot, target);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no corpus for {target} in {folder}");
        return Directory.GetFiles(folder).OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
    }

    /// <summary>The repository's <c>fuzz/corpus</c>, found by walking up from <paramref name="start"/>.</summary>
    public static string FindCorpusRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "fuzz", "corpus");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"fuzz/corpus not found above {start}");
    }
}
