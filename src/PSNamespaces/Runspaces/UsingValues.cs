using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Text;

namespace PSNamespaces.Runspaces;

/// <summary>
/// The values of a script block's $using: expressions, taken from the caller's session and handed
/// to the runspace the block runs in, the way Invoke-Command and ForEach-Object -Parallel do:
/// as a dictionary passed in the "--%" parameter, keyed by the Base64 of each expression's text
/// (lower-cased when it is a plain variable, whose name is case-insensitive). PowerShell looks
/// each $using: expression up by that key when the block runs.
/// </summary>
internal static class UsingValues
{
    /// <summary>The parameter name that carries the dictionary into the invocation.</summary>
    internal const string ParameterName = "--%";

    /// <summary>
    /// Evaluates every $using: expression of the block in the caller's session, nested script
    /// blocks included. Values are passed as they are (no serialization): the runspace is in
    /// this process.
    /// </summary>
    /// <exception cref="PSArgumentException">A variable is not set, or a value is a script block.</exception>
    internal static Dictionary<string, object?> Collect(ScriptBlock block, PSCmdlet caller)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (Ast ast in block.Ast.FindAll(static a => a is UsingExpressionAst, searchNestedScriptBlocks: true))
        {
            var usingAst = (UsingExpressionAst)ast;
            string key = KeyOf(usingAst);
            if (values.ContainsKey(key))
            {
                continue;
            }

            object? value = Evaluate(usingAst, caller);
            RefuseScriptBlock(value, usingAst.ToString());
            values[key] = value;
        }

        return values;
    }

    /// <summary>
    /// A script block belongs to the runspace that made it: invoked inside the namespace it would
    /// run back in the caller's runspace, outside the namespace (or wait for it forever).
    /// </summary>
    /// <exception cref="PSArgumentException">The value is a script block.</exception>
    internal static void RefuseScriptBlock(object? value, string what)
    {
        if ((value is PSObject wrapped ? wrapped.BaseObject : value) is ScriptBlock)
        {
            throw new PSArgumentException(
                $"{what} is a script block, which cannot be passed into a namespace: it would run in the caller's runspace, outside the namespace. Pass its text and use [scriptblock]::Create() inside.");
        }
    }

    private static string KeyOf(UsingExpressionAst usingAst)
    {
        string text = usingAst.ToString();
        if (usingAst.SubExpression is VariableExpressionAst)
        {
            text = text.ToLowerInvariant();
        }

        return Convert.ToBase64String(Encoding.Unicode.GetBytes(text));
    }

    private static object? Evaluate(UsingExpressionAst usingAst, PSCmdlet caller)
    {
        VariableExpressionAst variable = UsingExpressionAst.ExtractUsingVariable(usingAst);
        string name = variable.VariablePath.UserPath;
        PSVariable? found = caller.SessionState.PSVariable.Get(name);
        if (found is null)
        {
            throw new PSArgumentException(string.Format(
                CultureInfo.InvariantCulture,
                "The value of the using variable '{0}' cannot be retrieved because it has not been set in the local session.",
                usingAst.ToString()));
        }

        if (usingAst.SubExpression is VariableExpressionAst)
        {
            return found.Value;
        }

        // $using:a[1], $using:a.b: the rest of the expression applies to the variable's value,
        // evaluated here as the caller would (its own variables may appear in an index).
        Ast sub = usingAst.SubExpression;
        int start = variable.Extent.StartOffset - sub.Extent.StartOffset;
        string text = string.Concat(sub.Extent.Text.AsSpan(0, start), "$args[0]", sub.Extent.Text.AsSpan(start + variable.Extent.Text.Length));
        var results = caller.InvokeCommand.InvokeScript(text, true, PipelineResultTypes.None, null, found.Value);
        return results.Count switch
        {
            0 => null,
            1 => results[0],
            _ => results,
        };
    }
}
