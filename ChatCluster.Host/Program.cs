using ChatCluster.Node.Hosting;

// The node's executable: the command line (NodeCommand) over the ChatCluster.Node library. Anything more
// (own middleware, own actions, own endpoints) is a host of your own: see examples/EmbeddedHost.
return await NodeCommand.RunAsync(args);
