using System.Globalization;

namespace ChatCluster.Cmd;

/// <summary>
/// ccm's command line, pbm's forms: <c>ccm</c> (127.0.0.1:9110, interactive), <c>ccm HOST:PORT</c> (interactive),
/// <c>ccm [HOST:PORT] PALETTE VERB [switches]</c> (one shot). Global options may appear anywhere:
/// <c>--json</c>, <c>--timeout DURATION</c>, <c>--token TOKEN</c>, <c>--token-file FILE</c>, <c>--help</c>, <c>--version</c>.
/// </summary>
public sealed record Invocation(
    string Host,
    int Port,
    IReadOnlyList<string> Words,
    bool Json,
    string? Timeout,
    string? Token,
    string? TokenFile,
    bool Help,
    bool Version)
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 9110;

    /// <summary>Environment variable with the token (the same name the node reads by default).</summary>
    public const string TokenVariable = "CHATCLUSTER_CMD_TOKEN";

    public string Target => $"{Host}:{Port}";

    /// <summary>Parses <paramref name="args"/>; throws <see cref="UsageException"/> on a malformed line.</summary>
    public static Invocation Parse(IReadOnlyList<string> args)
    {
        var words = new List<string>();
        bool json = false, help = false, version = false;
        string? timeout = null, token = null, tokenFile = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=') : -1;
            var name = eq > 0 ? arg[..eq] : arg;
            string Value()
            {
                if (eq > 0) return arg[(eq + 1)..];
                if (i + 1 >= args.Count) throw new UsageException($"{name} needs a value");
                return args[++i];
            }
            switch (name)
            {
                case "--json": json = true; break;
                case "--timeout": timeout = Value(); break;
                case "--token": token = Value(); break;
                case "--token-file": tokenFile = Value(); break;
                case "--help" or "-h" or "-?": help = true; break;
                case "--version": version = true; break;
                default: words.Add(arg); break;
            }
        }
        var host = DefaultHost;
        var port = DefaultPort;
        if (words.Count > 0 && TryTarget(words[0], out var h, out var p))
        {
            host = h;
            port = p;
            words.RemoveAt(0);
        }
        if (timeout is not null && ParseDuration(timeout) is null) throw new UsageException($"--timeout: {timeout} is not a duration like 30s");
        return new Invocation(host, port, words, json, timeout, token, tokenFile, help, version);
    }

    /// <summary>HOST:PORT, [IPv6]:PORT; a palette name never has a colon, so there is no ambiguity.</summary>
    public static bool TryTarget(string word, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = word.LastIndexOf(':');
        if (colon <= 0) return false;
        if (!int.TryParse(word[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535) return false;
        host = word[..colon].Trim('[', ']');
        return host.Length > 0;
    }

    /// <summary>30s, 500ms, 2m, 1h or plain seconds; null when not a positive duration.</summary>
    public static TimeSpan? ParseDuration(string raw)
    {
        (string Suffix, double Scale)[] units = { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, scale) in units)
        {
            if (!raw.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var number = raw[..^suffix.Length];
            if (suffix == "s" && number.EndsWith('m')) continue;
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? TimeSpan.FromSeconds(v * scale) : null;
        }
        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? TimeSpan.FromSeconds(s) : null;
    }

    /// <summary>The token: --token, else --token-file, else the environment.</summary>
    public string? ResolveToken(Func<string, string?> environment)
    {
        if (Token is not null) return Token;
        if (TokenFile is not null)
        {
            if (!File.Exists(TokenFile)) throw new UsageException($"--token-file: file not found: {TokenFile}");
            return File.ReadAllText(TokenFile).Trim();
        }
        return environment(TokenVariable) is { Length: > 0 } t ? t.Trim() : null;
    }

    public static string UsageText =>
        """
        ccm: inspect and steer a running ChatCluster node (ChatCluster's Petabridge.Cmd).

        usage:
          ccm                                   interactive, connected to 127.0.0.1:9110
          ccm HOST:PORT                         interactive ([HOST:PORT] ccm> prompt; help, history, Tab completion)
          ccm [HOST:PORT] PALETTE VERB [switches]   run one command and exit (scripts, preStop hooks)

        options (anywhere on the line):
          --json               one JSON object per output line
          --timeout DURATION   give up waiting after this long (default 30s; tails run until Ctrl-C)
          --token TOKEN        the node's chatcluster.cmd.token (or --token-file FILE, or $CHATCLUSTER_CMD_TOKEN)
          --help               this text; `ccm HOST:PORT help` lists the node's palettes and verbs

        exit codes: 0 ok, 1 command error, 2 usage, 3 cannot connect / not authorized / refused, 4 timeout
        """;
}

/// <summary>A malformed command line (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
