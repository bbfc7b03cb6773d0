using System.Globalization;
using ChatCluster.Fuzz;
using SharpFuzz;

// ChatCluster.Fuzz: fuzz targets over the codecs (see FuzzTargets).
//   run <target|all> [--seconds N] [--seed S] [--corpus DIR] [--crashes DIR]   bounded mutation loop (no clang needed)
//   afl <target>         one input on stdin per run, for afl-fuzz over a SharpFuzz-instrumented ChatCluster.Transports.dll
//   libfuzzer <target>   for libfuzzer-dotnet (SharpFuzz's libFuzzer driver), where it is installed
//   list                 the targets
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: ChatCluster.Fuzz run <target|all> [--seconds N] [--seed S] [--corpus DIR] [--crashes DIR] | afl <target> | libfuzzer <target> | list");
    return 2;
}
switch (args[0])
{
    case "list":
        foreach (var name in FuzzTargets.All.Keys) Console.WriteLine(name);
        return 0;
    case "afl":
        var aflTarget = Target(args[1]);
        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            aflTarget(buffer.ToArray());
        });
        return 0;
    case "libfuzzer":
        var libTarget = Target(args[1]);
        Fuzzer.LibFuzzer.Run(span => libTarget(span.ToArray()));
        return 0;
    case "run":
        return RunMutation(args);
    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}

static Action<byte[]> Target(string name) =>
    FuzzTargets.All.TryGetValue(name, out var target) ? target
        : throw new ArgumentException($"unknown target {name}; targets: {string.Join(", ", FuzzTargets.All.Keys)}");

static int RunMutation(string[] args)
{
    var seconds = 10.0;
    var seed = 1;
    string? corpus = null, crashes = null;
    for (var i = 2; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
            case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
            case "--corpus": corpus = args[++i]; break;
            case "--crashes": crashes = args[++i]; break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    corpus ??= MutationFuzzer.FindCorpusRoot(AppContext.BaseDirectory);
    var names = args.Length > 1 && args[1] != "all" ? new[] { args[1] } : FuzzTargets.All.Keys.ToArray();
    var failed = 0;
    foreach (var name in names)
    {
        var fuzzer = new MutationFuzzer(MutationFuzzer.LoadCorpus(corpus, name), seed);
        var result = fuzzer.Run(Target(name), TimeSpan.FromSeconds(seconds / names.Length));
        Console.WriteLine($"{name}: {result.Inputs.ToString("N0", CultureInfo.InvariantCulture)} inputs, {result.Crashes.Count} crashes");
        foreach (var crash in result.Crashes)
        {
            failed++;
            Console.WriteLine($"  crash {crash.Id}: {crash.Error.GetType().Name}: {crash.Error.Message}");
            if (crashes is null) continue;
            Directory.CreateDirectory(crashes);
            File.WriteAllBytes(Path.Combine(crashes, $"{name}-{crash.Id}"), crash.Input);
        }
    }
    return failed == 0 ? 0 : 1;
}
