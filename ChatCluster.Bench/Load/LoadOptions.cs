using System.Globalization;
using System.Net;

namespace ChatCluster.Bench.Load;

public enum LoadTransport { Ws, Tcp }
public enum LoadProtocol { Primus, SignalR, Line }

/// <summary>
/// Options of the load verbs (fanout, rooms, connect). Defaults follow ahload.js where it has the same
/// option, so a run of either tool means the same load.
/// </summary>
public sealed class LoadOptions
{
    public string Scenario = "fanout";
    public LoadTransport Transport = LoadTransport.Ws;
    /// <summary>Websocket protocol; TCP always speaks the line protocol.</summary>
    public LoadProtocol Protocol = LoadProtocol.Primus;
    /// <summary>Websocket URL; default ws://127.0.0.1:8080/primus (ChatCluster), /chat for SignalR.</summary>
    public string? Url;
    public string Host = "127.0.0.1";
    /// <summary>TCP line-protocol port (ChatCluster default 5000).</summary>
    public int Port = 5000;
    public int Clients = 100;
    /// <summary>fanout: the first S clients say (default 10); rooms: every client says.</summary>
    public int? Senders;
    /// <summary>rooms: clients spread round-robin over K rooms room0..room(K-1).</summary>
    public int Rooms = 100;
    /// <summary>fanout room.</summary>
    public string Room = "defaultRoom";
    public string RoomPrefix = "room";
    /// <summary>fanout: says/s in total (default 1000); rooms: says/s per client (default 1); 0 = window mode.</summary>
    public double? Rate;
    /// <summary>Window mode: says in flight per sender; a slot frees when the sender sees its own echo.</summary>
    public int Window = 4;
    public double Seconds = 10;
    /// <summary>fanout/rooms: seconds of the same load before the measured window (JIT, pools and caches of the
    /// server and this tool settle); nothing sent in it is counted.</summary>
    public double Warmup;
    /// <summary>connect: this many connections are set up and closed first, not counted (the server's and this
    /// tool's JIT settle); the server's RSS baseline is read after they closed.</summary>
    public int WarmupClients;
    /// <summary>Max seconds to wait for deliveries in flight after sending stops.</summary>
    public double Drain = 10;
    /// <summary>The drain also ends after this many seconds without a delivery.</summary>
    public double DrainIdle = 2;
    /// <summary>connect: connection setups in flight (over all processes).</summary>
    public int Concurrency = 200;
    public int Payload;
    /// <summary>Server process(es): CPU % is their sum, RSS too (several nodes: comma list).</summary>
    public int[] Pids = [];
    public int Pid => Pids.Length > 0 ? Pids[0] : 0;
    public int RedisPid;
    /// <summary>connect: seconds to wait after the last connection before reading the server's RSS.</summary>
    public double Hold = 2;
    /// <summary>Primus: detailsView after open and after roomAdd, as ActionHero's browser client does.</summary>
    public bool Details = true;
    public bool CreateRooms;
    /// <summary>connect: also join --room.</summary>
    public bool Join;
    public int Processes = 1;
    /// <summary>Source addresses (127.0.0.x) the clients are spread over; empty = let the kernel pick.</summary>
    public IPAddress[] LocalAddresses = [];
    public double Timeout;
    public double SetupTimeout = 10;
    /// <summary>SignalR: ping after this many seconds without sending (the server drops clients silent for 30 s).</summary>
    public double KeepAlive = 15;
    /// <summary>Receive buffer per connection in bytes (grows for larger frames); default 16384, 4096 for
    /// connect (idle connections: zeroing 16 kB per connection showed up in the tool's connect profile).</summary>
    public int RecvBuffer;
    public string Label = "";
    public bool Help;

    // child-process slice (set by the parent for --processes): clients i with i % ChildCount == ChildIndex
    public int ChildIndex = -1;
    public int ChildCount = 1;

    public bool IsChild => ChildIndex >= 0;
    public int EffectiveSenders => Scenario == "rooms" ? Clients : Math.Min(Senders ?? Math.Min(10, Clients), Clients);
    public double EffectiveRate => Rate ?? (Scenario == "fanout" ? 1000 : 1);
    public int RoomCount => Scenario == "rooms" ? Rooms : 1;
    public bool Joins => Scenario != "connect" || Join;
    public bool IsSender(int i) => Scenario == "rooms" || (Scenario == "fanout" && i < EffectiveSenders);
    public int RoomIndex(int i) => Scenario == "rooms" ? i % Rooms : 0;
    public string RoomName(int roomIndex) => Scenario == "rooms" ? RoomPrefix + roomIndex.ToString(CultureInfo.InvariantCulture) : Room;
    public LoadProtocol WireProtocol => Transport == LoadTransport.Tcp ? LoadProtocol.Line : Protocol;
    public string ProtocolName => WireProtocol switch { LoadProtocol.SignalR => "signalr", LoadProtocol.Line => "line", _ => "primus" };
    public string TransportName => Transport == LoadTransport.Tcp ? "tcp" : "ws";
    public string Target => Transport == LoadTransport.Tcp ? $"tcp://{Host}:{Port}" : Url!;

    /// <summary>--url may list several nodes (comma-separated): client i connects to the (i mod n)-th.</summary>
    public string[] Urls => Url!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public const string Usage = """
        usage: ChatCluster.Bench <fanout|rooms|connect> [options]
          --transport ws|tcp        websocket (default) or the TCP line protocol (roomAdd r / say r body)
          --protocol primus|signalr websocket protocol: ActionHero/Primus JSON frames (default) or SignalR JSON hub
          --url URL[,URL...]        ws URL, or several nodes (client i uses the (i mod n)-th); ws URL (default ws://127.0.0.1:8080/primus; signalr ws://127.0.0.1:8190/chat)
          --host H --port P         TCP server (default 127.0.0.1:5000)
          --clients C               connections (default 100)
          --senders S               fanout: the first S clients say (default 10); rooms: all clients say
          --rooms K                 rooms: clients round-robin over room0..room<K-1> (default 100)
          --room NAME               fanout room (default defaultRoom); --room-prefix room
          --rate R                  fanout: says/s in total (1000); rooms: says/s per client (1); 0 = max
          --window W                with --rate 0: says in flight per sender (default 4)
          --seconds T --drain D     send window (10) and max wait for deliveries in flight (10)
          --drain-idle S            the drain also ends after S seconds without a delivery (2)
          --warmup W                fanout/rooms: W seconds of the same load first, not counted (default 0)
          --warmup-clients N        connect: open and close N connections first, not counted (default 0)
          --payload N               pad every say body with N bytes
          --concurrency N           connection setups in flight (default 200)
          --processes N             spread clients over N child processes (20,000 open files each)
          --local-addresses N|A,B   spread clients over 127.0.0.1..N (or the listed source addresses)
          --pid PID[,PID] --redis-pid P server(s) (and redis) process: CPU % and RSS from /proc
          --hold S                  connect: wait S s before reading the server RSS (default 2)
          --no-details              primus: skip the browser client's detailsView calls
          --create-rooms            rooms: call createChatRoom for room0..room<K-1> first
          --join                    connect: also join --room
          --recv-buffer BYTES       receive buffer per connection (16384; connect 4096)
          --timeout S --label TEXT
        Prints progress on stderr, then one JSON line on stdout and a summary on stderr.
        """;

    public static LoadOptions Parse(string scenario, string[] args)
    {
        var o = new LoadOptions { Scenario = scenario };
        bool urlGiven = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? inline = null;
            int eq = a.IndexOf('=');
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0) { inline = a[(eq + 1)..]; a = a[..eq]; }
            string V() => inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value"));
            int I() => int.Parse(V(), CultureInfo.InvariantCulture);
            double D() => double.Parse(V(), CultureInfo.InvariantCulture);
            switch (a)
            {
                case "--transport": o.Transport = V() switch { "ws" => LoadTransport.Ws, "tcp" => LoadTransport.Tcp, var x => throw new ArgumentException($"--transport: ws or tcp, not {x}") }; break;
                case "--protocol": o.Protocol = V() switch { "primus" or "actionhero" => LoadProtocol.Primus, "signalr" => LoadProtocol.SignalR, var x => throw new ArgumentException($"--protocol: primus or signalr, not {x}") }; break;
                case "--url": o.Url = V(); urlGiven = true; break;
                case "--host": o.Host = V(); break;
                case "--port": o.Port = I(); break;
                case "--clients": o.Clients = I(); break;
                case "--senders": o.Senders = I(); break;
                case "--rooms": o.Rooms = I(); break;
                case "--room": o.Room = V(); break;
                case "--room-prefix": o.RoomPrefix = V(); break;
                case "--rate": o.Rate = D(); break;
                case "--window": o.Window = I(); break;
                case "--seconds": o.Seconds = D(); break;
                case "--drain": o.Drain = D(); break;
                case "--drain-idle": o.DrainIdle = D(); break;
                case "--warmup": o.Warmup = D(); break;
                case "--warmup-clients": o.WarmupClients = I(); break;
                case "--concurrency": o.Concurrency = I(); break;
                case "--payload": o.Payload = I(); break;
                case "--pid": o.Pids = Array.ConvertAll(V().Split(',', StringSplitOptions.RemoveEmptyEntries), x => int.Parse(x, CultureInfo.InvariantCulture)); break;
                case "--redis-pid": o.RedisPid = I(); break;
                case "--hold": o.Hold = D(); break;
                case "--details": o.Details = true; break;
                case "--no-details": o.Details = false; break;
                case "--create-rooms": o.CreateRooms = true; break;
                case "--join": o.Join = true; break;
                case "--processes": o.Processes = I(); break;
                case "--local-addresses": o.LocalAddresses = ParseAddresses(V()); break;
                case "--timeout": o.Timeout = D(); break;
                case "--setup-timeout": o.SetupTimeout = D(); break;
                case "--keepalive": o.KeepAlive = D(); break;
                case "--recv-buffer": o.RecvBuffer = I(); break;
                case "--label": o.Label = V(); break;
                case "--child": { var p = V().Split('/'); o.ChildIndex = int.Parse(p[0], CultureInfo.InvariantCulture); o.ChildCount = int.Parse(p[1], CultureInfo.InvariantCulture); break; }
                case "--help" or "-h": o.Help = true; break;
                default: throw new ArgumentException($"unknown option {a}");
            }
        }
        if (!urlGiven) o.Url = o.Protocol == LoadProtocol.SignalR ? "ws://127.0.0.1:8190/chat" : "ws://127.0.0.1:8080/primus";
        if (o.Clients < 1) throw new ArgumentException("--clients must be at least 1");
        if (o.Rooms < 1) throw new ArgumentException("--rooms must be at least 1");
        if (o.Processes < 1) throw new ArgumentException("--processes must be at least 1");
        if (o.Window < 1) throw new ArgumentException("--window must be at least 1");
        if (o.Warmup < 0) throw new ArgumentException("--warmup must be 0 or more");
        if (o.WarmupClients < 0) throw new ArgumentException("--warmup-clients must be 0 or more");
        if (o.RecvBuffer == 0) o.RecvBuffer = scenario == "connect" ? 4096 : 16384;
        if (o.RecvBuffer < 1024) throw new ArgumentException("--recv-buffer must be at least 1024");
        o.Processes = Math.Min(o.Processes, o.Clients);
        if (o.Timeout <= 0) o.Timeout = o.Warmup + o.Seconds + o.Drain + 180;
        return o;
    }

    /// <summary>These options for a warm-up of <paramref name="clients"/> connections in this process.</summary>
    public LoadOptions ForWarmup(int clients)
    {
        var w = (LoadOptions)MemberwiseClone();
        w.Clients = clients;
        w.Processes = 1;
        w.ChildIndex = -1;
        w.ChildCount = 1;
        return w;
    }

    /// <summary>"4" = 127.0.0.1..127.0.0.4; otherwise a comma list of addresses.</summary>
    public static IPAddress[] ParseAddresses(string v)
    {
        if (int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            if (n < 1 || n > 254) throw new ArgumentException("--local-addresses: 1..254 loopback addresses");
            var list = new IPAddress[n];
            for (int k = 0; k < n; k++) list[k] = new IPAddress(new byte[] { 127, 0, 0, (byte)(k + 1) });
            return list;
        }
        var parts = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new IPAddress[parts.Length];
        for (int k = 0; k < parts.Length; k++) result[k] = IPAddress.Parse(parts[k]);
        return result;
    }
}
