using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace ChatCluster.Bench.Load;

/// <summary>The parent's view of a worker, in this process or in a child process.</summary>
internal interface IWorkerHandle
{
    int? ChildPid { get; }
    Task<ReadyInfo> SetupAsync();
    Task StartAsync(long t0Us, double rate);
    Task<StatsInfo> StatsAsync();
    Task<SentInfo> SentAsync();
    Task<WorkerReport> ReportAsync();
    Task CloseAsync();
}

internal sealed class LocalWorkerHandle(LoadWorker worker) : IWorkerHandle
{
    public int? ChildPid => null;
    public Task<ReadyInfo> SetupAsync() => worker.SetupAsync();
    public Task StartAsync(long t0Us, double rate) { worker.Start(t0Us, rate); return Task.CompletedTask; }
    public Task<StatsInfo> StatsAsync() => Task.FromResult(worker.Stats());
    public Task<SentInfo> SentAsync() => worker.SentAsync();
    public Task<WorkerReport> ReportAsync() => Task.FromResult(worker.Report());
    public Task CloseAsync() => worker.CloseAsync();
}

/// <summary>
/// A worker in a child process (the same executable with <c>--child i/N</c>): commands are lines on its
/// stdin, each answered by one line <c>&lt;type&gt; &lt;json&gt;</c> on its stdout; its stderr (progress) is
/// inherited. Calls on one handle are sequential.
/// </summary>
internal sealed class ChildWorkerHandle : IWorkerHandle
{
    private static readonly JsonSerializerOptions Json = new();
    private readonly Process _process;

    public ChildWorkerHandle(string scenario, string[] args, int index, int count)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        // `dotnet ChatCluster.Bench.dll …` (or the apphost directly)
        var exe = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        psi.FileName = exe;
        psi.ArgumentList.Add(scenario);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--child");
        psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"{index}/{count}"));
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start a worker process");
    }

    public int? ChildPid => _process.Id;

    private async Task<T> CallAsync<T>(string command, string expect)
    {
        await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        var line = await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false)
                   ?? throw new IOException($"worker process {_process.Id} exited during '{command}'");
        int sp = line.IndexOf(' ');
        var type = sp < 0 ? line : line[..sp];
        if (type != expect) throw new IOException($"worker process {_process.Id}: expected {expect}, got: {line}");
        return sp < 0 ? default! : JsonSerializer.Deserialize<T>(line.AsSpan(sp + 1), Json)!;
    }

    public Task<ReadyInfo> SetupAsync() => CallAsync<ReadyInfo>("setup", "ready");
    public Task StartAsync(long t0Us, double rate) => CallAsync<object>(string.Create(CultureInfo.InvariantCulture, $"start {t0Us} {rate:R}"), "ok");
    public Task<StatsInfo> StatsAsync() => CallAsync<StatsInfo>("stats", "stats");
    public Task<SentInfo> SentAsync() => CallAsync<SentInfo>("sent", "sent");
    public Task<WorkerReport> ReportAsync() => CallAsync<WorkerReport>("report", "report");

    public async Task CloseAsync()
    {
        try { await CallAsync<object>("close", "closed").ConfigureAwait(false); }
        catch (IOException) { }
        if (!_process.WaitForExit(10_000)) _process.Kill();
        _process.Dispose();
    }

    /// <summary>The child side: answer the parent's commands until "close" or end of input.</summary>
    public static int ChildMain(LoadOptions o)
    {
        var worker = new LoadWorker(o, msg => Console.Error.WriteLine($"[worker {o.ChildIndex}] {msg}"));
        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        void Reply(string type, object? value) => stdout.WriteLine(value is null ? type : type + " " + JsonSerializer.Serialize(value, value.GetType(), Json));
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "setup": Reply("ready", worker.SetupAsync().GetAwaiter().GetResult()); break;
                case "start":
                    worker.Start(long.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
                    Reply("ok", null);
                    break;
                case "stats": Reply("stats", worker.Stats()); break;
                case "sent": Reply("sent", worker.SentAsync().GetAwaiter().GetResult()); break;
                case "report": Reply("report", worker.Report()); break;
                case "close":
                    worker.CloseAsync().GetAwaiter().GetResult();
                    Reply("closed", null);
                    return 0;
                default: Reply("error", line); break;
            }
        }
        worker.CloseAsync().GetAwaiter().GetResult();
        return 0;
    }
}
