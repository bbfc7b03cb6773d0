using Akka.Configuration;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// Builds the node's HOCON: command-line overrides first, then extra files (e.g. --config, test.conf,
/// seed.conf), then hocon/base.conf. Files are layered in C# because Akka's parser cannot resolve
/// <c>include</c> or <c>${?ENV}</c> on its own.
/// </summary>
public static class NodeConfig
{
    public static string HoconDirectory => Path.Combine(AppContext.BaseDirectory, "hocon");

    public static Config Load(IEnumerable<string> overrides, IEnumerable<string> files)
    {
        var config = ConfigurationFactory.Empty;
        foreach (var line in overrides) config = config.WithFallback(ConfigurationFactory.ParseString(line));
        foreach (var file in files) config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Resolve(file))));
        return config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(HoconDirectory, "base.conf"))));
    }

    /// <summary>A bare name (e.g. "test.conf") is looked up in hocon/; a path is used as given.</summary>
    public static string Resolve(string file)
    {
        if (File.Exists(file)) return file;
        var inHocon = Path.Combine(HoconDirectory, file);
        if (File.Exists(inHocon)) return inHocon;
        throw new FileNotFoundException($"configuration file not found: {file} (also looked in {HoconDirectory})", file);
    }
}
