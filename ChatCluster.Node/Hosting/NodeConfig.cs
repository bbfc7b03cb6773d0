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

    /// <summary>
    /// The node's configuration: command-line options, then <c>--key=value</c> arguments and environment variables
    /// (<see cref="ConfigOverrides"/>, checked against the defaults), then the files, then
    /// <c>akka.cluster.app-version</c> from the assembly, then hocon/base.conf.
    /// </summary>
    public static Config Load(NodeOptions options)
    {
        var files = options.ConfigFiles;
        var external = ConfigOverrides.Read(options.Environment ?? ConfigOverrides.ProcessEnvironment(), options.KeyValueArgs);
        var defaults = Load(Array.Empty<string>(), files);
        ConfigOverrides.Check(external, defaults.WithFallback(ConfigurationFactory.Default()).WithFallback(ConfigurationFactory.FromResource<Akka.Cluster.Cluster>("Akka.Cluster.Configuration.Cluster.conf")));
        return Load(options.Overrides.Concat(external.Select(o => o.Line)), files);
    }

    /// <summary>This build's version, for rolling upgrades (<c>akka.cluster.app-version</c>): the assembly's, without the source hash.</summary>
    public static string AppVersion()
    {
        var assembly = typeof(NodeConfig).Assembly;
        var informational = System.Reflection.CustomAttributeExtensions
            .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(assembly)?.InformationalVersion;
        var version = informational ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+');
        return plus >= 0 ? version[..plus] : version;
    }

    public static Config Load(IEnumerable<string> overrides, IEnumerable<string> files)
    {
        var config = ConfigurationFactory.Empty;
        foreach (var line in overrides) config = config.WithFallback(ConfigurationFactory.ParseString(line));
        foreach (var file in files) config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Resolve(file))));
        config = config.WithFallback(ConfigurationFactory.ParseString($"akka.cluster.app-version = {ChatCluster.Transports.JsonText.Quote(AppVersion())}"));
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
