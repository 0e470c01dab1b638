// BenchOptions: the command line. Every option has a default that gives the standard, committed run.
using System.Globalization;

namespace LstmSharp.Bench;

internal sealed record BenchOptions
{
    public const string Usage = """
        LstmSharp.Bench: LstmSharp side by side with ONNX Runtime, TorchSharp (libtorch) and OpenBLAS.

        usage: dotnet run -c Release --project bench/LstmSharp.Bench -- [options]

          --out PATH          results file (.md; a .json with every sample is written beside it).
                              Default: bench/results/<cpu>-f<family>-m<model>/lstm.md in the repository; '-' = console only.
          --quick             short runs (3 runs, 1 round) to try things out; not for committed results
          --configs 1,3       only these network configurations (1-based, in the order of the table)
          --cells LIST        any of lstm,gru: the recurrent cells of the networks (default: both)
          --sections LIST     any of rnn,gemm,breakdown (default: all); rnn = the LSTM and GRU networks
                              ('lstm' is accepted for rnn, as older committed results were run with it);
                              breakdown = our LSTM kernels alone
          --no-ort  --no-torch  --no-blas    leave a peer out
          --threads N         threads for every peer (default: LstmSharp's, i.e. LSTMSHARP_THREADS or the core count)
          --blas-coretype X   set OPENBLAS_CORETYPE=X before OpenBLAS loads (default: the environment's, else one
                              chosen from the CPU flags: SkylakeX with avx512f/bw/vl, Haswell with avx2 and fma)
          --onednn-max-isa X  set ONEDNN_MAX_CPU_ISA=X (e.g. AVX2) before libtorch loads (default: leave it alone)
          --gemm-size N       square GEMM size (default 1024)
          --seed N            weights and data seed (default 42)
          --help
        """;

    public string? Out { get; init; }
    public bool Quick { get; init; }
    public IReadOnlyList<int>? Configs { get; init; }
    public ISet<string> Sections { get; init; } = new HashSet<string>(["rnn", "gemm", "breakdown"]);
    public IReadOnlyList<CellKind> Cells { get; init; } = [CellKind.Lstm, CellKind.Gru];
    public bool Ort { get; init; } = true;
    public bool Torch { get; init; } = true;
    public bool Blas { get; init; } = true;
    public int? Threads { get; init; }
    public string? BlasCoreType { get; init; }
    public string? OnednnMaxIsa { get; init; }
    public int GemmSize { get; init; } = 1024;
    public int Seed { get; init; } = 42;
    public bool Help { get; init; }

    public Budget Budget => Quick ? Budget.Quick : Budget.Full;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {args[i]} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--out" => options with { Out = Value() },
                "--quick" => options with { Quick = true },
                "--configs" => options with { Configs = Value().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--cells" => options with { Cells = Value().Split(',').Select(ParseCell).Distinct().ToArray() },
                "--sections" => options with { Sections = new HashSet<string>(Value().Split(',').Select(s => s == "lstm" ? "rnn" : s)) },
                "--no-ort" => options with { Ort = false },
                "--no-torch" => options with { Torch = false },
                "--no-blas" => options with { Blas = false },
                "--threads" => options with { Threads = Int() },
                "--blas-coretype" => options with { BlasCoreType = Value() },
                "--onednn-max-isa" => options with { OnednnMaxIsa = Value() },
                "--gemm-size" => options with { GemmSize = Int() },
                "--seed" => options with { Seed = Int() },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Use --help for the list."),
            };
        }
        foreach (var s in options.Sections)
            if (s is not ("rnn" or "gemm" or "breakdown")) throw new ArgumentException($"Unknown section '{s}'; use rnn, gemm, breakdown.");
        if (options.Configs?.Any(c => c < 1 || c > RnnConfig.Standard.Count) == true)
            throw new ArgumentException($"--configs takes numbers from 1 to {RnnConfig.Standard.Count}.");
        return options;
    }

    /// <summary>The selected shapes (as LSTM configurations: the kernel breakdown is of our LSTM kernels).</summary>
    public IReadOnlyList<RnnConfig> SelectedConfigs
        => Configs is null ? RnnConfig.Standard : Configs.Select(c => RnnConfig.Standard[c - 1]).ToArray();

    /// <summary>The networks the rnn section measures: every selected shape for every selected cell, cell by cell.</summary>
    public IReadOnlyList<RnnConfig> SelectedNetworks
        => Cells.SelectMany(cell => SelectedConfigs.Select(c => c with { Cell = cell })).ToArray();

    static CellKind ParseCell(string name) => name switch
    {
        "lstm" => CellKind.Lstm,
        "gru" => CellKind.Gru,
        _ => throw new ArgumentException($"Unknown cell '{name}'; use lstm, gru."),
    };
}
