// dcvc-train: the code that produces every weight file the codec loads, stage by stage.
import ArgumentParser
import ToolSupport

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcvc-train",
        abstract: "Train the codec's models (resumable, CSV-logged) and export shipped weights.",
        subcommands: [TrainVQ.self, ExportVQ.self, EvalVQ.self, TrainPrior.self, TrainPriorTransformer.self, TrainInter.self,
                      TrainHyperprior.self, ExportPrior.self, EvalPrior.self])
}

runTool(Train.self)
