from core.exceptions import NotAllowed


class Banned(NotAllowed):
    pass


class WrongPin(NotAllowed):
    pass


class KnockRefused(NotAllowed):
    pass
