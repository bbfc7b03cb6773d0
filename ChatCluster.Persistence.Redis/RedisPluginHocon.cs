using System.Globalization;
using System.Text;
using Akka.Hosting;

namespace ChatCluster.Persistence.Redis;

/// <summary>The keys both Redis plugins share, as HOCON lines inside the plugin's section (the options classes).</summary>
internal static class RedisPluginHocon
{
    public static StringBuilder Append(StringBuilder sb, string configurationString, string? keyPrefix, int? database)
    {
        sb.AppendLine($"configuration-string = {configurationString.ToHocon()}");
        if (keyPrefix is not null) sb.AppendLine($"key-prefix = {keyPrefix.ToHocon()}");
        if (database is { } db) sb.AppendLine($"database = {db.ToString(CultureInfo.InvariantCulture)}");
        return sb;
    }
}
