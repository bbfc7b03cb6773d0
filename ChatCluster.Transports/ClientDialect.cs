namespace ChatCluster.Transports;

/// <summary>
/// What a connection's verbs mean on one transport: ActionHero 20's TCP socket server and ActionHero 29's websocket
/// differ in more than their envelopes (<see cref="IResponseFormat"/>). The transport supplies its dialect next to its
/// format, and the connection's rules read it instead of asking which transport they run on. Data only: the rules that
/// use it are plain functions (<c>VerbRules</c> in the node).
/// </summary>
public sealed class ClientDialect
{
    /// <summary>ActionHero 20's socket server (spec section 5): sticky params, every unknown word is an action.</summary>
    public static readonly ClientDialect Tcp = new(
        name: "socket",
        verbs: new HashSet<string>(StringComparer.Ordinal)
        {
            "quit", "exit", "documentation", "paramAdd", "paramDelete", "paramView", "paramsView", "paramsDelete",
            "roomAdd", "roomLeave", "roomView", "detailsView", "say",
        },
        messageIds: MessageIdRule.StickyParam,
        unknownVerbs: UnknownVerbRule.LineIsAction,
        files: FileRule.StickyParamRawBytes,
        documents: true,
        welcome: static s => s.TcpWelcome,
        lineTooLong: TcpResponseFormat.Instance.LineTooLong);

    /// <summary>ActionHero 29's websocket (spec section 6): a messageId per frame, only the <c>action</c> event runs one.</summary>
    public static readonly ClientDialect WebSocket = new(
        name: "websocket",
        verbs: new HashSet<string>(StringComparer.Ordinal)
        {
            "quit", "exit", "documentation", "roomAdd", "roomLeave", "roomView", "detailsView", "say",
        },
        messageIds: MessageIdRule.PerFrame,
        unknownVerbs: UnknownVerbRule.ActionEventOnly,
        files: FileRule.FrameFieldAsJson,
        documents: false,
        welcome: static s => s.WebSocketWelcome,
        // A websocket message over the limit closes the socket (1009) before it is a request; should one ever be
        // reported, it is answered as any failed verb.
        lineTooLong: static (error, messageIdJson) => WebSocketResponseFormat.Instance.VerbError(error, messageIdJson, null));

    private readonly Func<TransportSettings, string> _welcome;
    private readonly Func<string, string, byte[]> _lineTooLong;

    private ClientDialect(string name, HashSet<string> verbs, MessageIdRule messageIds, UnknownVerbRule unknownVerbs,
        FileRule files, bool documents, Func<TransportSettings, string> welcome, Func<string, string, byte[]> lineTooLong)
    {
        Name = name;
        Verbs = verbs;
        MessageIds = messageIds;
        UnknownVerbs = unknownVerbs;
        Files = files;
        Documents = documents;
        _welcome = welcome;
        _lineTooLong = lineTooLong;
    }

    /// <summary>For logs and test names: <c>socket</c> or <c>websocket</c>.</summary>
    public string Name { get; }

    /// <summary>The verbs the connection handles itself; any other word is an action, <c>file</c>, or an error.</summary>
    public IReadOnlySet<string> Verbs { get; }

    public MessageIdRule MessageIds { get; }

    public UnknownVerbRule UnknownVerbs { get; }

    public FileRule Files { get; }

    /// <summary>v20 answers <c>documentation</c> with the actions; v29's websocket with a TypeError [observed].</summary>
    public bool Documents { get; }

    /// <summary>The welcome text this transport greets with (<c>chatcluster.tcp.welcome</c> / <c>chatcluster.websocket.welcome</c>).</summary>
    public string Welcome(TransportSettings settings) => _welcome(settings);

    /// <summary>The reply to a request over the length limit (TCP: its own shape, with <c>"status":"error"</c>).</summary>
    public byte[] LineTooLong(string error, string messageIdJson) => _lineTooLong(error, messageIdJson);

    public override string ToString() => Name;
}

/// <summary>Which messageId a request is answered with.</summary>
public enum MessageIdRule : byte
{
    /// <summary>v20: the sticky <c>messageId</c> param, else a fresh uuid per request.</summary>
    StickyParam,

    /// <summary>v29: the frame's own messageId (a falsy one gets a uuid); params reset on every frame.</summary>
    PerFrame,
}

/// <summary>What a word that is no verb (and not <c>file</c>) means.</summary>
public enum UnknownVerbRule : byte
{
    /// <summary>v20: the line is an action (a JSON line names it and its params, a word becomes the sticky action).</summary>
    LineIsAction,

    /// <summary>v29: the <c>action</c> event runs the frame's params; any other event is "verb not found".</summary>
    ActionEventOnly,
}

/// <summary>The <c>file</c> verb: where the name comes from and how the file is answered.</summary>
public enum FileRule : byte
{
    /// <summary>v20: the first word, kept as the sticky <c>file</c> param; the bytes as they are, an error as a JSON string line.</summary>
    StickyParamRawBytes,

    /// <summary>v29: the frame's <c>file</c> field; answered as an action's JSON (content, mime, length, lastModified).</summary>
    FrameFieldAsJson,
}
