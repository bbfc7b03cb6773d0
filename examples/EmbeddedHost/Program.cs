using ChatCluster.Node.Hosting;
using EmbeddedHost;
using Microsoft.Extensions.DependencyInjection;

// dotnet run --project examples/EmbeddedHost -- --tcp-port 5000 --web-port 8080   (every node option works)
var app = ExampleHost.Create(args);
var chat = app.Services.GetRequiredService<ChatNodeAccessor>();
await app.RunAsync();
// Akka.Hosting sets the exit code to -1 whenever cluster membership ended the actor system, a drain included: here a
// drain (Ctrl-C, SIGTERM, ccm node drain) is a clean exit, being downed is not (a supervisor restarts the node).
return chat.Node is { Downed: true } ? 3 : 0;
