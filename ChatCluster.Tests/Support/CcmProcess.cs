using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatCluster.Tests.Support;

/// <summary>What one ccm run printed and its exit code.</summary>
public sealed record CcmResult(int ExitCode, string Out, string Err)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>With --json: every output line parsed (each must be one JSON object).</summary>
    public JsonObject[] Json => Lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Err}";
}

/// <summary>
/// ccm run as a real process (<c>dotnet ccm.dll</c>, built once with the solution and copied beside the tests), as
/// an operator or a preStop hook runs it. The child never inherits a token from the environment.
/// </summary>
public sealed class CcmProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    private CcmProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.Append(e.Data).Append('\n'); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_err) _err.Append(e.Data).Append('\n'); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Out
    {
        get { lock (_out) return _out.ToString(); }
    }

    public static CcmProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ccm.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("CHATCLUSTER_CMD_TOKEN");
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        return new CcmProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet ccm.dll"));
    }

    /// <summary>Runs ccm to completion (bounded), optionally feeding <paramref name="stdin"/>.</summary>
    public static async Task<CcmResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var ccm = Start(args, environment);
        if (stdin is not null) await ccm._process.StandardInput.WriteAsync(stdin);
        ccm._process.StandardInput.Close();
        return await ccm.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    public static Task<CcmResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Waits until the output holds <paramref name="text"/> (bounded).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => Out.Contains(text, StringComparison.Ordinal), $"ccm printed \"{text}\"; so far:\n{Out}", timeout);

    /// <summary>SIGTERM (as timeout(1) or a pod stop would send), then the result.</summary>
    public async Task<CcmResult> StopAsync()
    {
        using (var kill = Process.Start("kill", new[] { "-TERM", _process.Id.ToString() })) await kill!.WaitForExitAsync();
        return await WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<CcmResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ccm did not exit within {timeout}; output so far:\n{Out}");
        }
        _process.WaitForExit(); // flushes the redirected streams
        string err;
        lock (_err) err = _err.ToString();
        return new CcmResult(_process.ExitCode, Out, err);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
