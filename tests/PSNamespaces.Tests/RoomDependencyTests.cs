using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using PSNamespaces.Core.Model;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// Keeps docs/ARCHITECTURE.md's map true: Core/ is a row of rooms, and a room may use only the
/// rooms before it. Read from the compiled assembly — signatures and every type, method and field
/// token in the method bodies — so a reference hidden in a lambda or a local still counts.
/// </summary>
public class RoomDependencyTests
{
    /// <summary>The rooms in dependency order; Interop is the floor under all of them.</summary>
    internal static readonly string[] Order =
    [
        "Interop", "Model", "Proc", "Attribution", "Threads", "Inventory", "Targets", "Network", "Workers",
        "Plans", "Launch", "Persistence", "Watch", "Graph",
    ];

    /// <summary>
    /// The public object types keep the C# namespace PSNamespaces (their names are the module's
    /// API: format views, PSTypeNames, Deserialized.*), so their room is said here.
    /// </summary>
    private static readonly Dictionary<string, string> PublicTypeRooms = new(StringComparer.Ordinal)
    {
        ["Namespace"] = "Model",
        ["NamespaceType"] = "Model",
        ["NamespaceTypes"] = "Model",
        ["NamespaceProcess"] = "Model",
        ["NamespaceHolder"] = "Model",
        ["NamespaceLink"] = "Model",
        ["NamespaceLinks"] = "Model",
        ["NamespaceRelation"] = "Model",
        ["ProcNsStatus"] = "Model",
        ["MountPropagation"] = "Plans",
        ["SetGroupsMode"] = "Plans",
        ["NamespaceInterface"] = "Network",
        ["LaunchedProcess"] = "Launch",
        ["NamespaceEvent"] = "Watch",
        ["NamespaceChangeType"] = "Watch",
        ["NamespaceEventCause"] = "Watch",
    };

    private static readonly Assembly Module = typeof(Namespace).Assembly;

    [Fact]
    public void Every_type_below_Commands_has_a_known_room()
    {
        var unplaced = Module.GetTypes()
            .Where(t => !IsCompilerDetail(t) && Outermost(t).Namespace is string ns && !ns.StartsWith("PSNamespaces.Commands", StringComparison.Ordinal) && !ns.StartsWith("PSNamespaces.Runspaces", StringComparison.Ordinal))
            .Where(t => RoomOf(t) is null)
            .Select(t => t.FullName)
            .ToList();
        Assert.True(unplaced.Count == 0, "Types in no room: " + string.Join(", ", unplaced));
    }

    [Fact]
    public void Rooms_use_only_the_rooms_before_them()
    {
        var wrong = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in Module.GetTypes())
        {
            if (IsCompilerDetail(type) || RoomOf(type) is not string room)
            {
                continue;
            }

            int rank = Array.IndexOf(Order, room);
            foreach (Type used in Referenced(type))
            {
                if (used.Assembly == Module && !IsCompilerDetail(used))
                {
                    string? usedRoom = RoomOf(used);
                    int usedRank = usedRoom is null ? int.MaxValue : Array.IndexOf(Order, usedRoom);
                    if (usedRank > rank)
                    {
                        wrong.Add($"{Outermost(type).FullName} ({room}) uses {Outermost(used).FullName} ({usedRoom ?? "Commands/Runspaces"})");
                    }
                }
                else if (used.Assembly.GetName().Name == "System.Management.Automation")
                {
                    wrong.Add($"{Outermost(type).FullName} ({room}) uses the PowerShell type {used.FullName}");
                }
            }
        }

        Assert.True(wrong.Count == 0, "References against the room order:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void Each_rooms_Uses_header_names_the_rooms_it_uses()
    {
        // The main file's "// Uses:" line is what a reader trusts to know a room's neighbours;
        // Interop is the floor under every room and is not listed.
        var used = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (Type type in Module.GetTypes())
        {
            if (IsCompilerDetail(type) || RoomOf(type) is not string room || room == "Interop")
            {
                continue;
            }

            SortedSet<string> rooms = used.TryGetValue(room, out var r) ? r : used[room] = new(StringComparer.Ordinal);
            foreach (Type target in Referenced(type))
            {
                if (target.Assembly == Module && !IsCompilerDetail(target) && RoomOf(target) is string other && other != room && other != "Interop")
                {
                    rooms.Add(other);
                }
            }
        }

        var wrong = new List<string>();
        foreach (string room in Order.Skip(1))
        {
            string header = string.Join(", ", UsesHeader(room));
            string actual = string.Join(", ", used.TryGetValue(room, out var r) ? r.OrderBy(x => Array.IndexOf(Order, x)) : []);
            if (header != actual)
            {
                wrong.Add($"{room}: header says \"{header}\", the assembly uses \"{actual}\"");
            }
        }

        Assert.True(wrong.Count == 0, "Uses: headers that are not true (listed in room order):\n" + string.Join("\n", wrong));
    }

    /// <summary>
    /// The rooms a room's main file lists in its "// Uses: A, B." line, in room order ("none"
    /// for none). The main file is the one in Core/ROOM/ that begins "// Core/ROOM ".
    /// </summary>
    private static IEnumerable<string> UsesHeader(string room)
    {
        string folder = Path.Combine(SourceRoot(), "src", "PSNamespaces", "Core", room);
        string[] mains = Directory.GetFiles(folder, "*.cs")
            .Where(f => File.ReadLines(f).FirstOrDefault()?.StartsWith($"// Core/{room} ", StringComparison.Ordinal) == true)
            .ToArray();
        Assert.True(mains.Length == 1, $"Core/{room} has {mains.Length} files beginning \"// Core/{room} \"; one is its main file.");
        string? line = File.ReadLines(mains[0]).TakeWhile(l => l.StartsWith("//", StringComparison.Ordinal))
            .FirstOrDefault(l => l.StartsWith("// Uses: ", StringComparison.Ordinal));
        Assert.True(line is not null, $"{mains[0]}: its first comment has no \"// Uses: \" line.");
        string list = line["// Uses: ".Length..];
        list = list[..list.IndexOf('.', StringComparison.Ordinal)];
        return list == "none" ? [] : list.Split(", ").OrderBy(x => Array.IndexOf(Order, x));
    }

    /// <summary>The repository this test was compiled from.</summary>
    internal static string SourceRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));

    [Fact]
    public void The_check_sees_a_reference_made_only_inside_a_method_body()
    {
        // NamespaceCatalog.Partitions starts DedicatedThread only in a method body: if the IL
        // reading were broken, this is what it would miss.
        Type catalog = Module.GetType("PSNamespaces.Core.Inventory.NamespaceCatalog", throwOnError: true)!;
        Assert.Contains(Referenced(catalog), t => t.Name == "DedicatedThread");
    }

    internal static string? RoomOf(Type type)
    {
        Type outer = Outermost(type);
        string ns = outer.Namespace ?? "";
        if (ns == "PSNamespaces.Interop")
        {
            return "Interop";
        }

        if (ns == "PSNamespaces")
        {
            return PublicTypeRooms.TryGetValue(outer.Name, out string? room) ? room : null;
        }

        const string core = "PSNamespaces.Core.";
        if (ns.StartsWith(core, StringComparison.Ordinal))
        {
            string room = ns[core.Length..].Split('.')[0];
            return Array.IndexOf(Order, room) >= 0 ? room : null;
        }

        return null;
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is Type outer)
        {
            type = outer;
        }

        return type;
    }

    private static bool IsCompilerDetail(Type type) => Outermost(type).Name.StartsWith('<');

    /// <summary>Every type a type names: base, interfaces, members' signatures, method bodies.</summary>
    private static HashSet<Type> Referenced(Type type)
    {
        var found = new HashSet<Type>();
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        Add(found, type.BaseType);
        foreach (Type i in type.GetInterfaces())
        {
            Add(found, i);
        }

        foreach (FieldInfo field in type.GetFields(all))
        {
            Add(found, field.FieldType);
        }

        foreach (MethodBase method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                Add(found, info.ReturnType);
            }

            foreach (ParameterInfo parameter in method.GetParameters())
            {
                Add(found, parameter.ParameterType);
            }

            AddBody(found, method);
        }

        return found;
    }

    private static void Add(HashSet<Type> found, Type? type)
    {
        while (type is not null && (type.HasElementType))
        {
            type = type.GetElementType();
        }

        if (type is null || type.IsGenericParameter || !found.Add(type))
        {
            return;
        }

        if (type.IsGenericType)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                Add(found, argument);
            }
        }
    }

    private static void AddBody(HashSet<Type> found, MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            OpCode op = OpCodeAt(il, ref i);
            int size = OperandSize(op.OperandType, il, i);
            if (op.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                int token = BitConverter.ToInt32(il, i);
                MemberInfo? member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                switch (member)
                {
                    case Type t:
                        Add(found, t);
                        break;
                    case MethodBase m:
                        Add(found, m.DeclaringType);
                        if (m is MethodInfo mi)
                        {
                            Add(found, mi.ReturnType);
                        }

                        break;
                    case FieldInfo f:
                        Add(found, f.DeclaringType);
                        Add(found, f.FieldType);
                        break;
                }
            }

            i += size;
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    internal static OpCode OpCodeAt(byte[] il, ref int i)
    {
        short value = il[i++];
        if (value == 0xfe)
        {
            value = unchecked((short)(0xfe00 | il[i++]));
        }

        return OpCodesByValue[value];
    }

    internal static int OperandSize(OperandType type, byte[] il, int i) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
        _ => 4,
    };
}
