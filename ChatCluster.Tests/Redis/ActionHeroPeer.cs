using System.Diagnostics;
using System.Text;

namespace ChatCluster.Tests.Redis;

/// <summary>
/// A real ActionHero 29.3.5 node (the app in <c>../shared/peers/actionhero</c>, next to the repository), copied to a
/// temp folder, <c>npm ci</c>-ed there and started with <c>node server.js</c> on a free web port against the test's
/// redis-server. Env (see the peer's start.sh and config/): AH_WEB_PORT, REDIS_PORT, AH_SERVER_TOKEN, LOG_LEVEL.
/// The channel is ActionHero's default, "actionhero". Kill() is a crash (SIGKILL); Dispose kills and deletes the copy.
/// </summary>
public sealed class ActionHeroPeer : IAsyncDisposable
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _dir;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private ActionHeroPeer(string dir, int webPort)
    {
        _dir = dir;
        WebPort = webPort;
    }

    public int WebPort { get; }

    /// <summary>The peer's running copy (its public/ folder holds the client it rendered at boot).</summary>
    public string Folder => _dir;

    public int Pid => _process?.Id ?? 0;

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>
    /// The peer app's folder: <c>$CHATCLUSTER_ACTIONHERO_PEER</c> when set, else <c>{repo root}/../shared/peers/actionhero</c>
    /// (the repo root being the folder with ChatCluster.slnx; CI lays shared/ beside its clone).
    /// </summary>
    public static string SourceFolder()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("CHATCLUSTER_ACTIONHERO_PEER") is { Length: > 0 } configured) candidates.Add(configured);
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChatCluster.slnx"))) dir = dir.Parent;
        if (dir is not null) candidates.Add(Path.Combine(dir.FullName, "..", "shared", "peers", "actionhero"));
        foreach (var candidate in candidates)
        {
            var peer = Path.GetFullPath(candidate);
            if (File.Exists(Path.Combine(peer, "package.json"))) return peer;
        }
        throw new InvalidOperationException("the ActionHero peer app is missing: no package.json in " + string.Join(", ", candidates.Select(Path.GetFullPath))
            + " (set CHATCLUSTER_ACTIONHERO_PEER to the peer's folder)");
    }

    public static async Task<ActionHeroPeer> StartAsync(int redisPort, string serverToken)
    {
        var source = SourceFolder();
        var dir = Path.Combine(Path.GetTempPath(), "ahpeer-" + Guid.NewGuid().ToString("N")[..8]);
        Copy(source, dir);
        var npm = await RunAsync("npm", new[] { "ci", "--no-audit", "--no-fund" }, dir, NpmTimeout);
        if (npm.ExitCode != 0)
            throw new InvalidOperationException($"npm ci in {dir} failed (exit {npm.ExitCode}):\n{npm.Output}");
        var peer = new ActionHeroPeer(dir, Support.RedisServerFixture.FreeLoopbackPort());
        await peer.StartProcessAsync(redisPort, serverToken);
        return peer;
    }

    private async Task StartProcessAsync(int redisPort, string serverToken)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("server.js");
        psi.Environment["AH_WEB_PORT"] = WebPort.ToString();
        psi.Environment["REDIS_PORT"] = redisPort.ToString();
        psi.Environment["AH_SERVER_TOKEN"] = serverToken;
        psi.Environment["LOG_LEVEL"] = "info";
        psi.Environment["NODE_ENV"] = "production";
        try
        {
            _process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node is not installed or not on PATH (the ActionHero peer needs node 20)", e);
        }
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{WebPort}/api/status")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(100); // polling interval while node starts
        }
        throw new InvalidOperationException($"ActionHero did not answer /api/status on port {WebPort} within {StartTimeout}. Log:\n{Log}");
    }

    /// <summary>GET /api/createChatRoom?name=room on the ActionHero node (the sample action: creates when missing).</summary>
    public async Task<string> CreateRoomAsync(string room)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync($"http://127.0.0.1:{WebPort}/api/createChatRoom?name={Uri.EscapeDataString(room)}");
    }

    /// <summary>A crash: SIGKILL, no goodbye, no "left the cluster", its member entries stay in Redis.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return ValueTask.CompletedTask;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            var target = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, File.GetUnixFileMode(target) | UnixFileMode.UserWrite);
        }
        foreach (var sub in Directory.GetDirectories(from))
        {
            var name = Path.GetFileName(sub);
            if (name is "node_modules" or "run" or "log" or "pids") continue;
            Copy(sub, Path.Combine(to, name));
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, string dir, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is not installed or not on PATH (needed for the ActionHero peer: node 20 + npm)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{file} {string.Join(" ", args)} in {dir} did not finish within {timeout}");
            }
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
