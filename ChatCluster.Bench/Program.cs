using ChatCluster.Bench;

return await BenchCommand.RunAsync(args);
