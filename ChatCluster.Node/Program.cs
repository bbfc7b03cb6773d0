using ChatCluster.Node.Hosting;

return await NodeCommand.RunAsync(args);
