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
        var d = v.GetValue<double>();
        return d != 0 && !double.IsNaN(d);
    }

    private static string JsNumber(JsonValue value)
    {
        var raw = value.ToJsonString();
        // Integers in the safe range print as written; everything else goes through double like JS does.
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && Math.Abs(l) < (1L << 53))
            return l.ToString(CultureInfo.InvariantCulture);
        var d = value.GetValue<double>();
        if (d == 0) return "0";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Replace("E", "e", StringComparison.Ordinal);
    }
}
