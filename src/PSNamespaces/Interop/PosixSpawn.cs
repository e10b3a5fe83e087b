using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

internal static unsafe partial class Sys
{
    /// <summary>
    /// Bytes to reserve for a posix_spawn_file_actions_t (glibc: 80 on 64-bit Linux; checked by
    /// the constants test). Only its address is passed: glibc fills it in.
    /// </summary>
    internal const int PosixSpawnFileActionsSize = 80;

    /// <summary>
    /// posix_spawn(3). glibc starts the child with clone(CLONE_VM | CLONE_VFORK) and execs at once,
    /// which is safe in a multithreaded process (the CLR forbids fork()). Returns 0 or an errno.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn")]
    internal static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_init")]
    internal static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static partial int posix_spawn_file_actions_destroy(void* fileActions);

    /// <summary>In the child, dup2(fd, newfd): the copy is not close-on-exec, the original is.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newfd);
}
