using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatCluster.Transports;

/// <summary>Small helpers shared by the two formats: write an envelope with Utf8JsonWriter, return the bytes.</summary>
internal static class ResponseWriter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    public delegate void Body<TState>(Utf8JsonWriter writer, TState state);

    public static byte[] Write<TState>(TState state, Body<TState> body)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, JsonText.WriterOptions))
        {
            body(w, state);
        }
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024) t_buffer = null; // don't pin a huge buffer to the thread
        return bytes;
    }

    public static void WriteRaw(Utf8JsonWriter w, string property, string json)
    {
        w.WritePropertyName(property);
        w.WriteRawValue(json, skipInputValidation: true);
    }

    /// <summary>Writes the object's properties (not the braces), in their order.</summary>
    public static void WriteProperties(Utf8JsonWriter w, JsonObject obj, string? skip1 = null, string? skip2 = null)
    {
        foreach (var (key, value) in obj)
        {
            if (key == skip1 || key == skip2) continue;
            w.WritePropertyName(key);
            if (value is null) w.WriteNullValue();
            else value.WriteTo(w);
        }
    }
}
