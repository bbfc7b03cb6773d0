using System.Diagnostics;

namespace ChatCluster.Bench.Faults;

/// <summary>
/// Where the campaign's nodes live: one network namespace per node, joined by a bridge in the root namespace (veth
/// pairs), each node on its own address; clients and Redis stay in the root namespace on the bridge's address. A
/// partition is iptables DROP rules inside the nodes' namespaces, so the root namespace's rules are never touched.
/// Without network namespaces (not root, or no kernel support) the nodes get 127.0.0.x addresses and partitions are
/// not available (said in the output). Everything created is removed on dispose, also after a failure.
/// </summary>
public sealed class FaultNetwork : IAsyncDisposable
{
    private readonly string _prefix;
    private readonly int _nodes;
    private readonly int _subnet;

    private FaultNetwork(string prefix, int nodes, bool namespaces, int subnet)
    {
        _prefix = prefix;
        _nodes = nodes;
        UsesNamespaces = namespaces;
        _subnet = subnet;
    }

    public bool UsesNamespaces { get; }

    /// <summary>Address of the clients and Redis (root namespace).</summary>
    public string HostAddress => UsesNamespaces ? $"10.213.{_subnet}.1" : "127.0.0.1";

    public string NodeAddress(int k) => UsesNamespaces ? $"10.213.{_subnet}.{10 + k}" : $"127.0.0.{10 + k}";

    private string Ns(int k) => $"{_prefix}n{k}";

    private string Bridge => $"{_prefix}br";

    /// <param name="id">Names the namespaces and interfaces (ccf&lt;id&gt;…), so a wrapper can clean up after a crash.</param>
    public static async Task<FaultNetwork> CreateAsync(int nodes, int id, Action<string> log)
    {
        var prefix = $"ccf{id}";
        var net = new FaultNetwork(prefix, nodes, true, id % 250);
        try
        {
            await net.SetUpAsync();
            return net;
        }
        catch (Exception e)
        {
            log($"network namespaces unavailable ({e.Message.Trim()}): falling back to 127.0.0.x addresses; partitions are skipped");
            await net.DisposeAsync();
            return new FaultNetwork(prefix, nodes, false, 0);
        }
    }

    private async Task SetUpAsync()
    {
        await Ip($"link add {Bridge} type bridge");
        await Ip($"addr add {HostAddress}/24 dev {Bridge}");
        await Ip($"link set {Bridge} up");
        for (var k = 0; k < _nodes; k++)
        {
            var veth = $"{_prefix}v{k}";
            await Ip($"netns add {Ns(k)}");
            await Ip($"link add {veth} type veth peer name eth0 netns {Ns(k)}");
            await Ip($"link set {veth} master {Bridge}");
            await Ip($"link set {veth} up");
            await Ip($"netns exec {Ns(k)} ip link set lo up");
            await Ip($"netns exec {Ns(k)} ip addr add {NodeAddress(k)}/24 dev eth0");
            await Ip($"netns exec {Ns(k)} ip link set eth0 up");
        }
    }

    /// <summary>The command line that runs <paramref name="file"/> inside node <paramref name="k"/>'s namespace.</summary>
    public ProcessStartInfo StartInfo(int k, string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(UsesNamespaces ? "ip" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (UsesNamespaces)
        {
            foreach (var a in new[] { "netns", "exec", Ns(k), file }) psi.ArgumentList.Add(a);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>
    /// Cut every path between the two sides (both directions), leaving clients and Redis reachable. The rules go into
    /// side A's namespaces only, each namespace in one atomic iptables-restore, so every link of a node is cut at the
    /// same instant (rule by rule, the links went down ~0.3 s apart: an asymmetric partition for that long).
    /// </summary>
    public async Task PartitionAsync(IReadOnlyList<int> sideA, IReadOnlyList<int> sideB)
    {
        foreach (var a in sideA)
        {
            var rules = new System.Text.StringBuilder("*filter\n");
            foreach (var b in sideB) rules.Append($"-A INPUT -s {NodeAddress(b)} -j DROP\n-A OUTPUT -d {NodeAddress(b)} -j DROP\n");
            rules.Append("COMMIT\n");
            await IpWithInput($"netns exec {Ns(a)} iptables-restore --noflush", rules.ToString());
        }
    }

    private static async Task IpWithInput(string args, string input)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in args.Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ip");
        await p.StandardInput.WriteAsync(input);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var err = p.StandardError.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {args}: {await err}");
    }

    public async Task HealAsync()
    {
        for (var k = 0; k < _nodes; k++) await Ip($"netns exec {Ns(k)} iptables -F");
    }

    /// <summary>Whether tc netem (added latency) works here; checked on a namespace's loopback, never the host's.</summary>
    public async Task<bool> NetemAvailableAsync()
    {
        if (!UsesNamespaces) return false;
        try
        {
            await Ip($"netns exec {Ns(0)} tc qdisc add dev lo root netem delay 1ms");
            await Ip($"netns exec {Ns(0)} tc qdisc del dev lo root");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public async Task AddLatencyAsync(int k, TimeSpan delay) => await Ip($"netns exec {Ns(k)} tc qdisc add dev eth0 root netem delay {(int)delay.TotalMilliseconds}ms");

    public async Task RemoveLatencyAsync(int k) => await Ip($"netns exec {Ns(k)} tc qdisc del dev eth0 root");

    public async ValueTask DisposeAsync()
    {
        if (!UsesNamespaces) return;
        for (var k = 0; k < _nodes; k++) await TryIp($"netns del {Ns(k)}"); // takes its end of the veth (and the pair) along
        await TryIp($"link del {Bridge}");
    }

    private static async Task TryIp(string args)
    {
        try
        {
            await Ip(args);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task Ip(string args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args.Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ip");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var err = p.StandardError.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {args}: {await err}");
    }
}
