namespace PSNamespaces;

/// <summary>
/// One namespace on the system. Its identity is nsfs's (st_dev, st_ino), printed as the kernel
/// prints it: "net:[4026531840]".
/// </summary>
public sealed class Namespace
{
    public Namespace(NamespaceType type, ulong inode, ulong device)
    {
        Type = type;
        Inode = inode;
        Device = device;
    }

    /// <summary>The kind of namespace.</summary>
    public NamespaceType Type { get; }

    /// <summary>The nsfs inode number (lsns's NS column).</summary>
    public ulong Inode { get; }

    /// <summary>The nsfs device number (st_dev); the same for every namespace on a system.</summary>
    public ulong Device { get; }

    /// <summary>The identity as the kernel prints it: "net:[4026531840]".</summary>
    public string Id => Core.Nsfs.FormatId(Type, Inode);

    public override string ToString() => Id;
}
