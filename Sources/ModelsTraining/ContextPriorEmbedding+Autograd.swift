import Models
import Tensor
import TensorTraining

extension ContextPriorEmbedding {
    /// The forward as an autograd node over the parameters in `params`.
    public static func forward(_ contexts: [Context], config: ContextPriorConfig, params: ParameterSet) -> Variable {
        func v(_ name: String) -> Variable {
            guard let p = params[name] else { preconditionFailure("missing weight \(name)") }
            return p
        }
        let value = forward(contexts, config: config) { v($0).value }
        let c = config.hidden
        let levelBias = v(levelBiasName), passBias = v(passBiasName)
        let lowers = (0..<max(0, config.levels - 1)).map { v(lowerName($0)) }
        let sames = (0..<config.levels).map { v(sameName($0)) }
        let previousTables = config.temporal ? (0..<config.levels).map { v(previousName($0)) } : []
        return Variable.node(value, parents: [levelBias, passBias] + lowers + sames + previousTables) { g in
            let (w, h) = (contexts[0].width, contexts[0].height)
            let hw = w * h
            var gLevel = Tensor(shape: levelBias.shape, repeating: 0), gPass = Tensor(shape: passBias.shape, repeating: 0)
            var gLower = lowers.map { Tensor(shape: $0.shape, repeating: 0) }
            var gSame = sames.map { Tensor(shape: $0.shape, repeating: 0) }
            var gPrevious = previousTables.map { Tensor(shape: $0.shape, repeating: 0) }
            for (n, ctx) in contexts.enumerated() {
                let l = ctx.level, p = ctx.pass
                for y in 0..<h {
                    for x in 0..<w {
                        let pos = y * w + x
                        let visible = config.pass(x: x, y: y, level: l) < p
                        let sameRow = Int(ctx.same[pos]) * c
                        let previousRow = ctx.previous.map { Int($0[pos]) * c }
                        for ch in 0..<c {
                            let d = g.storage[(n * c + ch) * hw + pos]
                            gLevel.storage[l * c + ch] += d
                            gPass.storage[p * c + ch] += d
                            for m in 0..<l { gLower[m].storage[Int(ctx.lower[m][pos]) * c + ch] += d }
                            if visible { gSame[l].storage[sameRow + ch] += d }
                            if let previousRow { gPrevious[l].storage[previousRow + ch] += d }
                        }
                    }
                }
            }
            levelBias.accumulate(gLevel); passBias.accumulate(gPass)
            for (t, gr) in zip(lowers, gLower) { t.accumulate(gr) }
            for (t, gr) in zip(sames, gSame) { t.accumulate(gr) }
            for (t, gr) in zip(previousTables, gPrevious) { t.accumulate(gr) }
        }
    }
}
