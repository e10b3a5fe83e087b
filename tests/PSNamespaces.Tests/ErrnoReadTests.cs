using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.InteropServices;
using PSNamespaces.Core.Model;
using Xunit;

namespace PSNamespaces.Tests;

/// <summary>
/// errno is read only right after a P/Invoke that sets it. The runtime keeps the errno of the
/// last call declared SetLastError and nothing else: read after a call declared without it
/// (Tmds.LibC's poll), it is whatever an earlier call left — often 0, so an EINTR became
/// "poll: Success" and ended a launch's wait on every SIGCHLD. Read from the compiled IL: in
/// every method, the call just before each errno read must be such a P/Invoke.
/// </summary>
public class ErrnoReadTests
{
    private static readonly Assembly Module = typeof(Namespace).Assembly;

    [Fact]
    public void Errno_is_read_only_right_after_a_PInvoke_that_sets_it()
    {
        var wrong = new List<string>();
        int reads = 0;
        foreach (Type type in Module.GetTypes())
        {
            foreach (MethodBase method in Methods(type))
            {
                if (ReadsErrno(method) || IsImport(method))
                {
                    // Read at their callers; a LibraryImport stub is the runtime's own code.
                    continue;
                }

                MethodBase? previous = null;
                foreach (MethodBase called in Calls(method))
                {
                    if (ReadsErrno(called) && previous is not null && ReadsErrno(previous))
                    {
                        continue;
                    }

                    if (ReadsErrno(called))
                    {
                        reads++;
                        if (previous is null || !SetsErrno(previous))
                        {
                            wrong.Add($"{type.FullName}.{method.Name} reads errno after {(previous is null ? "no call" : previous.DeclaringType?.Name + "." + previous.Name)}");
                        }
                    }

                    if (!Transparent(called, 3))
                    {
                        previous = called;
                    }
                }
            }
        }

        Assert.True(reads > 30, $"Only {reads} errno reads found: the IL walk is broken.");
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong.Distinct()));
    }

    [Fact]
    public void Tmds_LibC_poll_does_not_set_errno_so_the_module_imports_its_own()
    {
        // The fact the module's own import works around: if Tmds.LibC ever sets errno here,
        // Interop/Poll.cs can go back to it.
        MethodInfo poll = typeof(Tmds.Linux.LibC).GetMethod("poll", BindingFlags.Public | BindingFlags.Static)!;
        Assert.False(SetsErrno(poll));
    }

    private static IEnumerable<MethodBase> Methods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Cast<MethodBase>()
            .Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly));

    /// <summary>Every method a body calls (call, callvirt, newobj), in IL order.</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (InvalidOperationException)
        {
            yield break;
        }

        if (il is null)
        {
            yield break;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            OpCode op = RoomDependencyTests.OpCodeAt(il, ref i);
            int size = RoomDependencyTests.OperandSize(op.OperandType, il, i);
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
            {
                if (method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArguments, methodArguments) is MethodBase called)
                {
                    yield return called;
                }
            }

            i += size;
        }
    }

    private static bool ReadsErrno(MethodBase m) => (m.DeclaringType?.FullName, m.Name) switch
    {
        ("Tmds.Linux.LibC", "get_errno") => true,
        ("System.Runtime.InteropServices.Marshal", "GetLastPInvokeError" or "GetLastWin32Error" or "GetLastSystemError") => true,
        ("PSNamespaces.Interop.Errno", "get_Last") => true,
        ("PSNamespaces.Interop.ErrnoException", "FromLast") => true,
        _ => false,
    };

    private static bool IsImport(MethodBase m) =>
        m.GetCustomAttribute<DllImportAttribute>() is not null || m.GetCustomAttribute<LibraryImportAttribute>() is not null;

    /// <summary>
    /// A call that cannot change errno, so may stand between a P/Invoke and the read of its errno:
    /// string building, an argument exception thrown by a lookup, Tmds.LibC's constants and conversions of its integer types, and the
    /// module's own code that makes no native call (to the given depth of calls).
    /// </summary>
    private static bool Transparent(MethodBase m, int depth)
    {
        if (IsImport(m) || ReadsErrno(m) || depth < 0)
        {
            return false;
        }

        Type? type = m.DeclaringType;
        if (type == typeof(string) || type == typeof(Math) || (m.IsConstructor && typeof(ArgumentException).IsAssignableFrom(type)))
        {
            return true;
        }

        bool ours = type?.Assembly == Module || type?.Assembly == typeof(Tmds.Linux.LibC).Assembly;
        return ours && Calls(m).All(c => Transparent(c, depth - 1));
    }

    /// <summary>
    /// A DllImport or LibraryImport declared SetLastError, or a Tmds.LibC wrapper (ioctl, stat)
    /// whose body's only P/Invoke is one.
    /// </summary>
    private static bool SetsErrno(MethodBase m)
    {
        if (m.GetCustomAttribute<DllImportAttribute>() is DllImportAttribute dll)
        {
            return dll.SetLastError;
        }

        if (m.GetCustomAttribute<LibraryImportAttribute>() is LibraryImportAttribute library)
        {
            return library.SetLastError;
        }

        if (m.DeclaringType?.Assembly == typeof(Tmds.Linux.LibC).Assembly)
        {
            var imports = Calls(m).Where(c => c.GetCustomAttribute<DllImportAttribute>() is not null).ToList();
            return imports.Count > 0 && imports.All(c => c.GetCustomAttribute<DllImportAttribute>()!.SetLastError);
        }

        return false;
    }
}
