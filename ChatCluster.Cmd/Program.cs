using ChatCluster.Cmd;

return await Ccm.RunAsync(args, Console.In, Console.Out, Console.Error, terminal: !Console.IsInputRedirected && !Console.IsOutputRedirected);
