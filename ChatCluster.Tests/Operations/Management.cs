using System.Globalization;
using System.Text.RegularExpressions;

namespace ChatCluster.Tests.Operations;

/// <summary>A client of a node's management listener, and a strict reader of the Prometheus text format.</summary>
public static partial class Management
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<(int Status, string Body)> GetAsync(int port, string path)
    {
        using var response = await Http.GetAsync($"http://127.0.0.1:{port}{path}");
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Parses Prometheus text exposition: every line is blank, a <c># HELP</c>/<c># TYPE</c>/comment line, or
    /// <c>name{labels} value [timestamp]</c>; anything else fails the test. Returns "name{labels}" → value.
    /// </summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var m = Sample().Match(line);
            Assert.True(m.Success, "not a Prometheus sample line: " + line);
            var value = m.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples[m.Groups["name"].Value + m.Groups["labels"].Value] = value;
        }
        return samples;
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels contain <paramref name="label"/> (e.g. transport="socket").</summary>
    public static double Sum(Dictionary<string, double> samples, string name, string label = "") =>
        samples.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && s.Key.Contains(label, StringComparison.Ordinal))
            .Sum(s => s.Value);

    public static async Task<Dictionary<string, double>> ScrapeAsync(int port)
    {
        var (status, body) = await GetAsync(port, "/metrics");
        Assert.Equal(200, status);
        return Parse(body);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (?<value>[-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN))( -?[0-9]+)?$""")]
    private static partial Regex Sample();
}
