using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Avocado.Models.Tests.NativeLifetime;

/// <summary>
/// Finds, in compiled IL, every TorchSharp <c>Scalar</c> that is made for one native call and not held across it.
/// Such a temporary is unreachable once its handle has been read, so a collection during the call can finalize it and
/// free the native scalar while libtorch reads it (docs/TORCHSHARP.md). Two shapes are reported:
/// a number converted to a Scalar (implicitly, or with ToScalar) whose result is neither stored in a local that the
/// method disposes (<c>using var s = x.ToScalar()</c>) nor in a static readonly field (lives for the process); and a
/// call to a TorchSharp member that makes such a temporary itself (<c>a + b</c> passes an implicit alpha of 1), found
/// by reading TorchSharp's own IL, transitively.
/// </summary>
public sealed class ScalarTemporaries
{
    readonly HashSet<string> _makesTemporaries;

    public ScalarTemporaries(string torchSharpPath)
    {
        var module = ModuleDefinition.ReadModule(torchSharpPath);
        var callees = new Dictionary<string, List<string>>();
        _makesTemporaries = [];
        foreach (var type in module.GetTypes())
            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                var calls = new List<string>();
                foreach (var instruction in method.Body.Instructions)
                    if (instruction.Operand is MethodReference callee)
                    {
                        if (IsScalarFactory(callee)) _makesTemporaries.Add(method.FullName);
                        else calls.Add(Name(callee));
                    }
                callees[method.FullName] = calls;
            }
        // A member that calls one that makes a temporary makes one too (add(Tensor) → add(Tensor, 1)).
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (method, calls) in callees)
                if (!_makesTemporaries.Contains(method) && calls.Any(_makesTemporaries.Contains))
                    grew = _makesTemporaries.Add(method);
        }
    }

    public int TorchSharpMembersThatMakeTemporaries => _makesTemporaries.Count;

    /// <summary>"Type::Method (file:line): what" for every finding in the assembly (line numbers from its PDB).</summary>
    public List<string> Find(string assemblyPath, Func<TypeDefinition, bool>? typeFilter = null)
    {
        var pdb = Path.ChangeExtension(assemblyPath, ".pdb");
        var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { ReadSymbols = File.Exists(pdb) });
        var findings = new List<string>();
        foreach (var type in module.GetTypes().Where(t => typeFilter?.Invoke(t) ?? true))
            foreach (var method in type.Methods.Where(m => m.HasBody))
                foreach (var instruction in method.Body.Instructions)
                {
                    if (instruction.Operand is not MethodReference callee || !IsTorchSharp(callee)) continue;
                    string? problem = IsScalarFactory(callee) || IsImplicitTensor(callee)
                        ? HeldAfter(method, instruction) ? null : $"{callee.ReturnType.Name} made from a number by {callee.Name} and not held across the call that reads it"
                        : _makesTemporaries.Contains(Name(callee)) ? $"TorchSharp's {callee.DeclaringType.Name}.{callee.Name}({string.Join(", ", callee.Parameters.Select(p => p.ParameterType.Name))}) makes a temporary Scalar inside" : null;
                    if (problem is not null) findings.Add($"{type.FullName}::{method.Name} ({Where(method, instruction)}): {problem}");
                }
        return findings;
    }

    static bool IsTorchSharp(MethodReference m) => m.DeclaringType.Scope.Name is "TorchSharp" or "TorchSharp.dll";

    /// <summary>A number converted to a Tensor implicitly: a native tensor made for one call, like a Scalar. (Inside a
    /// dispose scope the scope would hold it, but nothing here can tell whether a scope is open.)</summary>
    static bool IsImplicitTensor(MethodReference m) => m.Name == "op_Implicit" && m.ReturnType.FullName == "TorchSharp.torch/Tensor";

    static bool IsScalarFactory(MethodReference m) =>
        m.ReturnType.FullName == "TorchSharp.Scalar" && m.Name is "op_Implicit" or "ToScalar";

    static string Name(MethodReference m)
    {
        try { return m.Resolve()?.FullName ?? m.FullName; }
        catch (AssemblyResolutionException) { return m.FullName; }
    }

    /// <summary>The new Scalar goes into a local that the method later disposes, or into a static readonly field.</summary>
    static bool HeldAfter(MethodDefinition method, Instruction factory)
    {
        var next = factory.Next;
        while (next is { OpCode.Code: Code.Nop }) next = next.Next;
        if (next?.Operand is FieldReference field && next.OpCode.Code == Code.Stsfld)
            return field.Resolve() is { IsStatic: true, IsInitOnly: true };
        if (next is null || StoredLocal(method, next) is not { } local) return false;
        return method.Body.Instructions.Any(i =>
            i.OpCode.Code is Code.Callvirt or Code.Call && i.Operand is MethodReference { Name: "Dispose" } &&
            i.Previous is { } load && LoadedLocal(method, load) == local);
    }

    static int? StoredLocal(MethodDefinition method, Instruction i) => i.OpCode.Code switch
    {
        Code.Stloc_0 => 0, Code.Stloc_1 => 1, Code.Stloc_2 => 2, Code.Stloc_3 => 3,
        Code.Stloc_S or Code.Stloc => ((VariableDefinition)i.Operand).Index,
        _ => null,
    };

    static int? LoadedLocal(MethodDefinition method, Instruction i) => i.OpCode.Code switch
    {
        Code.Ldloc_0 => 0, Code.Ldloc_1 => 1, Code.Ldloc_2 => 2, Code.Ldloc_3 => 3,
        Code.Ldloc_S or Code.Ldloc => ((VariableDefinition)i.Operand).Index,
        _ => null,
    };

    static string Where(MethodDefinition method, Instruction instruction)
    {
        for (var i = instruction; i is not null; i = i.Previous)
            if (method.DebugInformation.GetSequencePoint(i) is { IsHidden: false } point)
                return $"{RelativeSource(point.Document.Url)}:{point.StartLine}";
        return "IL_" + instruction.Offset.ToString("x4");
    }

    static string RelativeSource(string path)
    {
        int src = path.Replace('\\', '/').LastIndexOf("/src/", StringComparison.Ordinal);
        return src >= 0 ? path[(src + 1)..] : Path.GetFileName(path);
    }
}
