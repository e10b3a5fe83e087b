namespace PSNamespaces;

/// <summary>What /proc/PID/setgroups of a new user namespace says (user_namespaces(7)).</summary>
public enum SetGroupsMode
{
    /// <summary>setgroups(2) is permitted once a gid map is written.</summary>
    Allow,

    /// <summary>setgroups(2) is refused for good; an unprivileged gid map needs it.</summary>
    Deny,
}
