using System.Text.Json;
using ChatCluster.Messages;

namespace ChatCluster.Transports;

/// <summary>
/// JSON that is well formed but names a lone UTF-16 surrogate in a string escape (<c>"\ud800"</c>). JavaScript
/// accepts it, a .NET string read from UTF-8 cannot hold it; callers answer with <see cref="ChatErrors.JsonLoneSurrogate"/>
/// (its message) and keep the connection.
/// </summary>
public sealed class JsonLoneSurrogateException() : JsonException(ChatErrors.JsonLoneSurrogate);
