using System.Diagnostics;
using System.Text.Json;
using ChatCluster.Tests.Redis;
using ChatCluster.Tests.Support;
using Microsoft.Playwright;

namespace ChatCluster.Tests.Browser;

/// <summary>A fact that needs node and npm (the real ActionHero peer); skipped with the reason when they are missing.</summary>
public sealed class NodePeerFactAttribute : FactAttribute
{
    public NodePeerFactAttribute()
    {
        if (!OnPath("node") || !OnPath("npm")) Skip = "node and npm are not on PATH: the real ActionHero 29.3.5 peer cannot run here";
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, name)));
}

/// <summary>The real ActionHero 29.3.5 peer (with its redis) and a ChatCluster node, side by side, for one test class.</summary>
public sealed class ActionHeroSideBySideFixture : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private readonly NodeFixture _node = new();

    public ActionHeroPeer? Peer { get; private set; }

    public int NodeWebPort => _node.WebPort;

    /// <summary>The client ActionHero rendered at boot (public/javascript/ActionheroWebsocketClient.js), unchanged.</summary>
    public string StockClient { get; private set; } = "";

    /// <summary>Ours, as the node serves it.</summary>
    public string OurClient { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await _node.InitializeAsync();
        using var http = new HttpClient { Timeout = Timeouts.Expect };
        OurClient = await http.GetStringAsync($"http://127.0.0.1:{_node.WebPort}/public/javascript/ActionheroWebsocketClient.js");
        try
        {
            await _redis.InitializeAsync();
            Peer = await ActionHeroPeer.StartAsync(_redis.Port, "browser-peer-token");
        }
        catch (InvalidOperationException) when (!NodeAvailable)
        {
            return; // the facts are skipped
        }
        StockClient = await File.ReadAllTextAsync(Path.Combine(Peer.Folder, "public", "javascript", "ActionheroWebsocketClient.js"));
    }

    private static bool NodeAvailable => new NodePeerFactAttribute().Skip is null;

    public async Task DisposeAsync()
    {
        if (Peer is not null) await Peer.DisposeAsync();
        await _redis.DisposeAsync();
        await _node.DisposeAsync();
    }
}

/// <summary>
/// Same script, same results: one scripted session run by ActionHero's own rendered client and by ours, each against
/// the real ActionHero 29.3.5 and against ChatCluster, in Chromium. All four runs must give the same record.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class ActionHeroClientTests : IClassFixture<ActionHeroSideBySideFixture>
{
    private readonly ChromiumFixture _chromium;
    private readonly ActionHeroSideBySideFixture _side;

    public ActionHeroClientTests(ChromiumFixture chromium, ActionHeroSideBySideFixture side)
    {
        _chromium = chromium;
        _side = side;
    }

    // Everything the page can observe, without ids and times (which differ by nature).
    private const string Session = """
        async ({ url, room }) => {
          const strip = reply => { const copy = Object.assign({}, reply); delete copy.messageId; return copy; };
          const client = new ActionheroWebsocketClient({ url });
          const call = (fn, ...args) => new Promise(done => client[fn](...args, done));
          const log = {};
          const welcome = new Promise(done => client.on('welcome', m => done(m.welcome)));
          const details = await new Promise((done, fail) => client.connect((error, d) => error ? fail(error) : done(d)));
          log.state = client.state;
          log.details = { status: details.status, context: details.context, keys: Object.keys(details.data), rooms: details.data.rooms,
            fingerprintIsId: details.data.fingerprint === details.data.id, clientId: client.id === details.data.id };
          log.welcome = await welcome;
          log.created = strip(await call('action', 'createChatRoom', { name: room }));
          log.roomAdd = strip(await call('roomAdd', room));
          log.roomsAfterAdd = client.rooms.slice();
          const heard = new Promise(done => client.on('say', m => done(m)));
          log.say = strip(await call('say', room, 'hello from the page'));
          const m = await heard;
          log.heard = { message: m.message, room: m.room, context: m.context, fromSelf: m.from === client.id, sentAt: typeof m.sentAt };
          const view = await call('roomView', room);
          log.roomView = { status: view.status, room: view.data.room, membersCount: view.data.membersCount, self: Object.keys(view.data.members)[0] === client.id };
          log.again = strip(await call('roomAdd', room));
          log.missing = strip(await call('roomAdd', room + '-missing'));
          log.notMember = strip(await call('say', 'anotherRoom', 'not a member'));
          log.unknownAction = strip(await call('action', 'noSuchAction', {}));
          log.file = strip(await call('file', 'no-such-file.html'));
          log.leave = strip(await call('roomLeave', room));
          log.roomsAfterLeave = client.rooms.slice();
          client.disconnect();
          log.stateAfter = client.state;
          return log;
        }
        """;

    private async Task<JsonElement> RunAsync(string client, string serverUrl, string neutralPath, string room)
    {
        var page = await (await _chromium.NewContextAsync()).NewPageAsync();
        page.SetDefaultTimeout(BrowserPages.ExpectMs);
        await page.GotoAsync(serverUrl + neutralPath); // a page of the server's origin with nothing on it
        await page.AddScriptTagAsync(new() { Content = client });
        return await page.EvaluateAsync<JsonElement>(Session, new { url = serverUrl, room });
    }

    [NodePeerFact]
    public async Task Same_script_same_results_for_both_clients_against_both_servers()
    {
        var ah = $"http://127.0.0.1:{_side.Peer!.WebPort}";
        var cc = $"http://127.0.0.1:{_side.NodeWebPort}";
        var stopwatch = Stopwatch.StartNew();
        var runs = new Dictionary<string, string>
        {
            ["stock client -> ActionHero"] = (await RunAsync(_side.StockClient, ah, "/api/status", "stock-room")).GetRawText(),
            ["stock client -> ChatCluster"] = (await RunAsync(_side.StockClient, cc, "/primus/spec", "stock-room")).GetRawText(),
            ["our client -> ActionHero"] = (await RunAsync(_side.OurClient, ah, "/api/status", "our-room")).GetRawText(),
            ["our client -> ChatCluster"] = (await RunAsync(_side.OurClient, cc, "/primus/spec", "our-room")).GetRawText(),
        };
        // For people: what each run saw.
        await File.WriteAllLinesAsync(BrowserPages.ArtifactPath("actionhero-session.txt"), runs.Select(r => $"{r.Key}: {Normalize(r.Value)}"));
        var reference = runs["stock client -> ActionHero"].Replace("stock-room", "ROOM");
        Assert.Contains("\"didCreate\":true", reference.Replace(" ", ""));
        foreach (var (name, log) in runs)
            Assert.True(Normalize(log.Replace("stock-room", "ROOM").Replace("our-room", "ROOM")) == Normalize(reference),
                $"{name} differs from the stock client against ActionHero:\n  {log}\nvs\n  {reference}\n({stopwatch.Elapsed})");
    }

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    [NodePeerFact]
    public async Task Our_client_keeps_listeners_per_instance_where_actionheros_shares_them()
    {
        var cc = $"http://127.0.0.1:{_side.NodeWebPort}";
        const string twoClients = """
            async ({ url, room }) => {
              const a = new ActionheroWebsocketClient({ url }), b = new ActionheroWebsocketClient({ url });
              let heardByA = 0;
              a.on('say', () => heardByA++);
              await new Promise(done => a.connect(done)); await new Promise(done => b.connect(done));
              await new Promise(done => a.roomAdd(room, done)); await new Promise(done => b.roomAdd(room, done));
              // Each client's own Primus socket tells when its copy of the message has been handled (the client's
              // listener on the socket runs first), whatever the clients' emitters do.
              const both = new Promise(done => {
                let n = 0;
                const seen = m => { if (m && m.context === 'user' && ++n === 2) done(); };
                a.client.on('data', seen); b.client.on('data', seen);
              });
              a.say(room, 'once');
              await both;
              a.disconnect(); b.disconnect();
              return heardByA;
            }
            """;
        async Task<int> HeardByA(string client)
        {
            var page = await (await _chromium.NewContextAsync()).NewPageAsync();
            await page.GotoAsync(cc + "/primus/spec");
            await page.AddScriptTagAsync(new() { Content = client });
            return await page.EvaluateAsync<int>(twoClients, new { url = cc, room = "defaultRoom" });
        }
        Assert.Equal(1, await HeardByA(_side.OurClient));
        Assert.Equal(2, await HeardByA(_side.StockClient)); // the quirk the spec records: one shared listener table per page
    }
}
