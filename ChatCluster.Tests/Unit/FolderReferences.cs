using System.Reflection;
using System.Reflection.Emit;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// Which folder of an assembly uses which, read from the compiled code: for every type (nested and compiler-made
/// ones count for the type they sit in), the types named by its base type, interfaces, fields, properties, events,
/// method and constructor signatures, locals, catch clauses and every type, method or field token in its IL. The
/// folder of a type is the namespace segment after the root (<c>ChatCluster.Node.Rooms.X</c> → <c>Rooms</c>), so a
/// sub-namespace belongs to its folder. Reading IL (not the source) means a <c>using</c> that is not needed, a
/// <c>var</c>, a lambda or an extension-method call are all judged by what the compiler actually referenced.
/// </summary>
public sealed class FolderReferences
{
    /// <summary>One use of a type in another folder: who uses it (type and member) and the type used.</summary>
    public sealed record Use(string FromFolder, string ToFolder, string FromType, string Member, string ToType)
    {
        public override string ToString() => $"{FromType}.{Member} → {ToType}";
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic
                                          | BindingFlags.Instance | BindingFlags.Static;

    private readonly Assembly _assembly;
    private readonly string _root;

    private FolderReferences(Assembly assembly, string root, IReadOnlyList<Use> uses)
    {
        _assembly = assembly;
        _root = root;
        Uses = uses;
    }

    /// <summary>Every use that crosses folders (a use inside one folder is not listed).</summary>
    public IReadOnlyList<Use> Uses { get; }

    /// <summary>The folders that hold at least one type.</summary>
    public IReadOnlySet<string> Folders => _assembly.GetTypes().Select(FolderOf).OfType<string>().ToHashSet();

    /// <summary>The folder edges, each with the uses that make it.</summary>
    public IReadOnlyDictionary<(string From, string To), IReadOnlyList<Use>> Edges =>
        Uses.GroupBy(u => (u.FromFolder, u.ToFolder))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Use>)g.Distinct().ToList());

    public static FolderReferences Of(Assembly assembly, string rootNamespace)
    {
        var reader = new FolderReferences(assembly, rootNamespace, []);
        var uses = new List<Use>();
        foreach (var type in assembly.GetTypes())
        {
            var from = reader.FolderOf(type);
            if (from is null) continue;
            foreach (var (member, used) in reader.TypesUsedBy(type))
                foreach (var target in Expand(used))
                {
                    var to = reader.FolderOf(target);
                    if (to is null || to == from) continue;
                    uses.Add(new Use(from, to, reader.Name(Outermost(type)), SourceName(type, member),
                        reader.Name(Outermost(target))));
                }
        }
        return new FolderReferences(assembly, rootNamespace, uses);
    }

    /// <summary>The folder of a type of this assembly under the root namespace; null for anything else.</summary>
    private string? FolderOf(Type type)
    {
        var outer = Outermost(type);
        if (outer.Assembly != _assembly || outer.Namespace is null) return null;
        if (outer.Namespace == _root) return "(root)";
        if (!outer.Namespace.StartsWith(_root + ".", StringComparison.Ordinal)) return null;
        return outer.Namespace[(_root.Length + 1)..].Split('.')[0];
    }

    private string Name(Type type)
    {
        if (type.IsGenericType) type = type.GetGenericTypeDefinition();
        return type.FullName is { } full && full.StartsWith(_root + ".", StringComparison.Ordinal) ? full[(_root.Length + 1)..] : type.Name;
    }

    /// <summary>
    /// The member as written in the source: an async method's or iterator's state machine (<c>&lt;RunAsync&gt;d__3</c>)
    /// and a lambda (<c>&lt;Connections&gt;b__9_1</c>) are named after their method, a property's accessors and
    /// backing field after the property.
    /// </summary>
    private static string SourceName(Type type, string member)
    {
        for (var t = type; t.DeclaringType is not null; t = t.DeclaringType)
            if (Bracketed(t.Name) is { Length: > 0 } method && t.Name.Contains(">d__", StringComparison.Ordinal))
                return method;
        if (member.StartsWith("get_", StringComparison.Ordinal) || member.StartsWith("set_", StringComparison.Ordinal))
            return member[4..];
        return Bracketed(member) is { Length: > 0 } inner ? inner : member;
    }

    private static string? Bracketed(string name) =>
        name.StartsWith('<') && name.IndexOf('>') is var end and > 0 ? name[1..end] : null;

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer && !type.IsGenericParameter) type = outer;
        return type;
    }

    /// <summary>A type and everything it is made of (element types, generic arguments).</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.IsGenericParameter) yield break;
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()!)) yield return t;
            yield break;
        }
        yield return type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            foreach (var argument in type.GetGenericArguments())
                foreach (var t in Expand(argument)) yield return t;
    }

    private IEnumerable<(string Member, Type Used)> TypesUsedBy(Type type)
    {
        const string Declaration = "(declaration)";
        if (type.BaseType is { } baseType) yield return (Declaration, baseType);
        foreach (var i in type.GetInterfaces()) yield return (Declaration, i);
        foreach (var f in type.GetFields(Declared)) yield return (f.Name, f.FieldType);
        foreach (var p in type.GetProperties(Declared)) yield return (p.Name, p.PropertyType);
        foreach (var e in type.GetEvents(Declared)) if (e.EventHandlerType is { } h) yield return (e.Name, h);
        foreach (var attribute in type.CustomAttributes) yield return (Declaration, attribute.AttributeType);
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo m) yield return (method.Name, m.ReturnType);
            foreach (var p in method.GetParameters()) yield return (method.Name, p.ParameterType);
            foreach (var used in BodyOf(type, method)) yield return (method.Name, used);
        }
    }

    /// <summary>The types a method body names: locals, catch clauses, and the operands of its IL instructions.</summary>
    private static IEnumerable<Type> BodyOf(Type type, MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;
        foreach (var clause in body.ExceptionHandlingClauses)
            if (clause.Flags == ExceptionHandlingClauseOptions.Clause) yield return clause.CatchType!;

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[at++]));
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    var token = BitConverter.ToInt32(il, at);
                    at += 4;
                    foreach (var used in Named(method.Module.ResolveMember(token, typeArguments, methodArguments)))
                        yield return used;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                default:
                    at += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static IEnumerable<Type> Named(MemberInfo? member)
    {
        switch (member)
        {
            case Type t:
                yield return t;
                break;
            case FieldInfo f:
                yield return f.DeclaringType!;
                yield return f.FieldType;
                break;
            case MethodBase m:
                if (m.DeclaringType is { } declaring) yield return declaring;
                if (m is MethodInfo mi)
                {
                    yield return mi.ReturnType;
                    if (mi.IsGenericMethod) foreach (var a in mi.GetGenericArguments()) yield return a;
                }
                foreach (var p in m.GetParameters()) yield return p.ParameterType;
                break;
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
