using EmbeddedHost;

// dotnet run --project examples/EmbeddedHost -- --tcp-port 5000 --web-port 8080   (every node option works)
var app = ExampleHost.Create(args);
await app.RunAsync();
