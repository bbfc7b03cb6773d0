using Akka.Actor;

namespace ChatCluster.Tests.Persistence;

/// <summary>An event type serialized by Akka's default serializer, with an actor reference inside.</summary>
public sealed record TestEvent(string Text, int Number, IActorRef Ref);
