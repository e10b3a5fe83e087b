using System.Management.Automation;

namespace PSNamespaces.Commands;

/// <summary>
/// Refuses a string with a NUL character in it. Programs, arguments and paths reach the kernel as
/// C strings, which end at the first NUL: the rest would be dropped silently and another program
/// run, or another directory used, than the one typed.
/// </summary>
internal sealed class ValidateNoNulAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        object value = element is PSObject pso ? pso.BaseObject : element;
        if (value is string text && text.Contains('\0'))
        {
            throw new ValidationMetadataException(
                "The value contains a NUL character: the kernel takes a program, argument or path only up to the first NUL, so it would act on something else than what was given.");
        }
    }
}
