using Akka.Actor;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// Props from a plain factory delegate. <c>Props.Create(() => new X(a, b))</c> takes an expression tree and compiles
/// its captured arguments on every call — JIT work for every connection (a fifth of a core during a connect burst,
/// measured with perf). These actors are local and never re-created from serialized Props.
/// </summary>
public sealed class ActorFactory<TActor> : IIndirectActorProducer where TActor : ActorBase
{
    private readonly Func<TActor> _create;

    private ActorFactory(Func<TActor> create) => _create = create;

    public static Props Props(Func<TActor> create) => Akka.Actor.Props.CreateBy(new ActorFactory<TActor>(create));

    public Type ActorType => typeof(TActor);

    public ActorBase Produce() => _create();

    public void Release(ActorBase actor) { }
}
