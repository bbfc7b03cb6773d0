namespace ChatCluster.Messages;

/// <summary>
/// Every error text a client or a caller of the server API can see, exactly as ActionHero
/// words it (spec section 4, config/errors). No error text is built anywhere else.
/// </summary>
public static class ChatErrors
{
    public const string RoomAndMessageRequired = "both room and message are required";
    public const string RoomHasBeenDeleted = "this room has been deleted";
    public const string RoomNotExist = "room does not exist";
    public const string RoomExists = "room exists";
    public const string RoomRequired = "a room is required";
    public const string TooManyPendingActions = "you have too many pending requests";
    public const string UnknownAction = "unknown action or invalid apiVersion";
    public const string ServerShuttingDown = "the server is shutting down";
    public const string FileNotFound = "that file is not found";
    public const string FileNotFoundV20 = "That file is not found";
    public const string FileNotProvided = "file is a required param to send a file";

    /// <summary>ActionHero 29 answers the websocket <c>documentation</c> verb with this TypeError (its docs were removed).</summary>
    public const string DocumentationUnavailable = "TypeError: Cannot read properties of undefined (reading 'documentation')";

    public static string NotInRoom(string room) => $"connection not in this room ({room})";
    public static string AlreadyInRoom(string room) => $"connection already in this room ({room})";
    public static string VerbNotFound(string verb) => $"verb not found or not allowed ({verb})";
    public static string MissingParam(string param) => $"{param} is a required parameter for this action";

    /// <summary>
    /// ActionHero's TCP text swaps its placeholders ("{maxLength} received/{receivedLength} max");
    /// its own test pins the swapped text, so we keep it.
    /// </summary>
    public static string DataLengthTooLarge(long maxLength, long receivedLength) =>
        $"data length is too big ({maxLength} received/{receivedLength} max)";

    /// <summary>A cluster RPC (Redis <c>do</c>) got no <c>doResponse</c> within chatcluster.redis.rpc-timeout (ActionHero's text).</summary>
    public const string RpcTimeout = "RPC Timeout";

    // Errors of our own (ActionHero has no such limit or situation).
    public const string ServerBusy = "the server is busy, try again";
    public const string RoomUnavailable = "the room is temporarily unavailable, try again";
    public const string ConnectionNotFound = "connection not found";
    public const string InvalidCredentials = "invalid credentials";
    public const string AuthenticationRequired = "you must authenticate to join this room";
    public const string InternalError = "internal error";
    /// <summary>The `file` verb for a file larger than chatcluster.web.max-file-bytes (ActionHero has no limit).</summary>
    public static string FileTooLarge(long maxBytes) => $"that file is too large (the limit is {maxBytes} bytes)";
    public const string RpcUnavailable = "RPC unavailable: not connected to the redis pub/sub server";
}
