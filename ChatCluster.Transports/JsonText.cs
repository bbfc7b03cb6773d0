using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatCluster.Transports;

/// <summary>
/// JSON helpers that write what JavaScript's <c>JSON.stringify</c> writes (no escaping of non-ASCII or of
/// <c>&lt; &gt; &amp;</c>), and JavaScript's string coercion of values, so our bytes match ActionHero's.
/// </summary>
public static class JsonText
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static readonly JsonSerializerOptions SerializerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// Parses one JSON value the way JavaScript's <c>JSON.parse</c> does: a duplicate key keeps its first position and
    /// takes the last value (System.Text.Json's own JsonObject would throw when it is first read).
    /// Throws <see cref="JsonException"/> for invalid JSON (including trailing data) or nesting deeper than 64.
    /// </summary>
    /// <remarks>
    /// A string escape naming a lone surrogate (<c>"\ud800"</c>) throws <see cref="JsonLoneSurrogateException"/>, a
    /// <see cref="JsonException"/> whose message is the catalogue text for clients.
    /// </remarks>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
        if (!reader.Read()) throw new JsonException("empty input");
        try
        {
            var node = ReadValue(ref reader);
            if (reader.Read()) throw new JsonException("trailing data after the JSON value");
            return node;
        }
        catch (InvalidOperationException e)
        {
            // GetString cannot transcode a string with invalid UTF-8 bytes or an escaped lone surrogate; everything else
            // the reader rejects is a JsonException already. Websocket text and TCP lines are valid UTF-8 by then.
            if (!System.Text.Unicode.Utf8.IsValid(utf8)) throw new JsonException("invalid UTF-8 in a string", e);
            throw new JsonLoneSurrogateException();
        }
    }

    public static JsonNode? Parse(string text) => Parse(System.Text.Encoding.UTF8.GetBytes(text));

    private static JsonNode? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    obj[key] = ReadValue(ref reader); // a repeated key: last value, first position (as in JavaScript)
                }
                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) array.Add(ReadValue(ref reader));
                return array;
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString());
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var l)) return JsonValue.Create(l);
                if (reader.TryGetDouble(out var d) && double.IsFinite(d)) return JsonValue.Create(d);
                throw new JsonException("number out of range");
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            case JsonTokenType.Null:
                return null;
            default:
                throw new JsonException($"unexpected token {reader.TokenType}");
        }
    }

    /// <summary>A string as a JSON string literal.</summary>
    public static string Quote(string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 8);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions)) w.WriteStringValue(value);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Serialize(JsonNode? node) => node is null ? "null" : node.ToJsonString(SerializerOptions);

    /// <summary>
    /// JavaScript's <c>String(value)</c> as used when a websocket frame's values become verb words:
    /// objects become "[object Object]", arrays join their elements with ",", null becomes null here
    /// (Array.join turns it into an empty string).
    /// </summary>
    public static string? ToJsString(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject:
                return "[object Object]";
            case JsonArray array:
                var parts = new string[array.Count];
                for (var i = 0; i < array.Count; i++) parts[i] = ToJsString(array[i]) ?? string.Empty;
                return string.Join(',', parts);
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => JsNumber(value),
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>JavaScript truthiness of a JSON value (used for <c>frame.room</c> and <c>messageId</c>).</summary>
    public static bool IsTruthy(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length > 0,
            JsonValueKind.False or JsonValueKind.Null or JsonValueKind.Undefined => false,
            JsonValueKind.Number => JsNumberIsTruthy(v),
            _ => true,
        },
        _ => true,
    };

    private static bool JsNumberIsTruthy(JsonValue v)
    {
        var d = NumberOf(v);
        return d != 0 && !double.IsNaN(d);
    }

    // Works for parsed and for CLR-created values alike (GetValue<double> does not convert a CLR long).
    private static double NumberOf(JsonValue v) => double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string JsNumber(JsonValue value)
    {
        var raw = value.ToJsonString();
        // Integers in the safe range print as written; everything else goes through double like JS does.
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && Math.Abs(l) < (1L << 53))
            return l.ToString(CultureInfo.InvariantCulture);
        var d = NumberOf(value);
        if (d == 0) return "0";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Replace("E", "e", StringComparison.Ordinal);
    }
}
